#!/usr/bin/env node
// The `hut` bin: loads the TypeScript CLI through tsx's CommonJS API (no build step; tsx's
// ESM tsImport is broken in the pinned tsx). Works from the repo (`npx hut …`) and from a copy
// of the repo with node_modules on a runner host.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const tsx = require("tsx/cjs/api");
const { main } = tsx.require("../cli/main.ts", import.meta.url);

main(process.argv).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`hut: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
