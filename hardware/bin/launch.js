// Starts a TypeScript CLI from its bin: loads it through tsx's CommonJS API, no build step (tsx's
// ESM tsImport is broken in the pinned tsx). It uses the global `register()` rather than the scoped
// `tsx.require(id, from)`: the scoped form gives every process a fresh namespace, which misses
// tsx's transform cache and writes ~20 new files to $TMPDIR/tsx-<uid> on every invocation.
// Shared by the `hut` (hardware/bin/hut.js) and `fleet` (tools/fleet/bin.js) bins.
import { createRequire } from "node:module";

/** Runs `main(process.argv)` of the CLI module at `cli` (resolved from the bin's `from` URL) and exits with its code. */
export function launch(name, cli, from) {
  const require = createRequire(from);
  require("tsx/cjs/api").register();
  const { main } = require(cli);
  main(process.argv).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${name}: ${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
