#!/usr/bin/env node
// The `hut` bin: loads the TypeScript CLI through tsx's CommonJS API, no build step (tsx's ESM
// tsImport is broken in the pinned tsx). It uses the global `register()` rather than the scoped
// `tsx.require(id, from)`: the scoped form gives every process a fresh namespace, which misses
// tsx's transform cache and writes ~20 new files to $TMPDIR/tsx-<uid> on every invocation.
// Works from the repo (`npx hut …`) and from a copy of the repo with node_modules on a runner.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
require("tsx/cjs/api").register();
const { main } = require("../cli/main.ts");

main(process.argv).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hut: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
