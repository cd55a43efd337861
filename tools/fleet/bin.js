#!/usr/bin/env node
// The `fleet` bin: loads the TypeScript CLI through tsx's CommonJS API, no build step (as the
// `hut` bin, hardware/bin/hut.js, which explains the choice of `register()`).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
require("tsx/cjs/api").register();
const { main } = require("./cli.ts");

main(process.argv).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`fleet: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
