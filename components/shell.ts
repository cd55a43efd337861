/** The quoting lives with the hut CLI, which quotes its own ws2 steps (hardware/shell.ts). */
export { shellQuote } from "../hardware/shell.ts";
