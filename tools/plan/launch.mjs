#!/usr/bin/env node
// @ts-check
// `npm run plan`: runs tools/plan/cli.ts as one precompiled ES module on plain Node.js, without
// tsx (docs/architecture.md, "Plan speed"). esbuild (the compiler tsx itself uses) bundles the
// repository's own TypeScript — cli.ts, the program, the policy pack — into
// .cache/plan/cli-<hash>.mjs; packages stay external and load from node_modules as before. The
// hash covers every bundled source file, so an edit is picked up on the next run (a rebuild, about
// a second); an unchanged tree reuses the bundle. `import.meta.url` keeps each source file's own
// URL, so paths computed from it are unchanged.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const cacheDir = join(root, ".cache", "plan");
const manifestFile = join(cacheDir, "manifest.json");
const entry = join(here, "cli.ts");
const self = readFileSync(fileURLToPath(import.meta.url), "utf8");

/** Hash of the build recipe (this file, esbuild's version) and of every listed source file. */
function treeHash(inputs, esbuildVersion) {
  const h = createHash("sha256").update(self).update(esbuildVersion);
  for (const file of inputs) h.update(file).update("\0").update(readFileSync(join(root, file))).update("\0");
  return h.digest("hex").slice(0, 16);
}

/** The cached bundle for the current tree, or undefined when a source changed or none exists. */
function cached() {
  try {
    const m = JSON.parse(readFileSync(manifestFile, "utf8"));
    const bundle = join(cacheDir, `cli-${treeHash(m.inputs, m.esbuild)}.mjs`);
    return existsSync(bundle) ? bundle : undefined;
  } catch {
    return undefined;
  }
}

async function rebuild() {
  const esbuild = await import("esbuild");
  mkdirSync(cacheDir, { recursive: true });
  const tmp = join(cacheDir, `build-${process.pid}`);
  /** @type {import("esbuild").Plugin} */
  const metaUrl = {
    name: "source-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => ({
        contents: readFileSync(args.path, "utf8").replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)),
        loader: "ts",
      }));
    },
  };
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    keepNames: true,
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    outfile: `${tmp}.mjs`,
    logLevel: "error",
    plugins: [metaUrl],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .map((p) => relative(root, resolve(root, p)))
    .sort();
  const name = `cli-${treeHash(inputs, esbuild.version)}`;
  // The map names its bundle: point it at the final name before both are moved into place.
  writeFileSync(`${tmp}.mjs`, readFileSync(`${tmp}.mjs`, "utf8").replace(/\/\/# sourceMappingURL=.*\n?$/, `//# sourceMappingURL=${name}.mjs.map\n`));
  renameSync(`${tmp}.mjs.map`, join(cacheDir, `${name}.mjs.map`));
  renameSync(`${tmp}.mjs`, join(cacheDir, `${name}.mjs`));
  writeFileSync(`${tmp}.json`, JSON.stringify({ esbuild: esbuild.version, inputs }));
  renameSync(`${tmp}.json`, manifestFile);
  // Older bundles go once no plan started before this one can still be loading them.
  for (const f of readdirSync(cacheDir)) {
    const file = join(cacheDir, f);
    if (f.startsWith("cli-") && !f.startsWith(`${name}.`) && Date.now() - statSync(file).mtimeMs > 600_000) rmSync(file, { force: true });
  }
  return join(cacheDir, `${name}.mjs`);
}

// Stack traces point into the TypeScript sources (through the bundle's source map) for --verbose.
if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true);
let bundle = cached();
if (!bundle) {
  try {
    bundle = await rebuild();
  } catch (err) {
    process.stderr.write(`error: cannot compile tools/plan/cli.ts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
await import(pathToFileURL(bundle).href);
