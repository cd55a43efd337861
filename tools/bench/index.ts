import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * `npm run bench [-- <name>…]`: runs every tools/bench/*.bench.ts (or the named ones) in turn.
 * Each bench prints its own side-by-side ratios.
 */
const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, "")))
  .sort();
let failed = 0;
for (const file of benches) {
  const name = file.replace(/\.bench\.ts$/, "");
  process.stdout.write(`\n== ${name} ==\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: () => Promise<void> };
    await mod.default();
  } catch (err) {
    failed++;
    process.stdout.write(`${name}: FAILED: ${(err as Error).message}\n`);
  }
}
process.exit(failed ? 1 : 0);
