import { CommanderError } from "commander";
import { EXIT, UsageError } from "../errors.ts";

/**
 * The exit code of a command-line error, shared by the `hut` and `fleet` CLIs: help/version 0;
 * a parse error (commander already printed it, naming the flag) or a UsageError (printed here as
 * `<name>: …`) 2; undefined for any other error.
 */
export function usageExitCode(err: unknown, name: string): number | undefined {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT.usage;
  if (err instanceof UsageError) {
    process.stderr.write(`${name}: ${err.message}\n`);
    return EXIT.usage;
  }
  return undefined;
}
