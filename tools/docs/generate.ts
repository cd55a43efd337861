import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../plan/run.ts";
import { renderConfigReference } from "./config-reference.ts";

/** `npm run docs` writes the generated docs; `npm run docs -- --check` fails when they are stale. */
const targets = [{ path: join(ROOT, "docs", "config.md"), render: renderConfigReference }];
const check = process.argv.includes("--check");
let stale = 0;
for (const t of targets) {
  const want = t.render();
  let have = "";
  try {
    have = readFileSync(t.path, "utf8");
  } catch {}
  if (have === want) continue;
  if (check) {
    process.stderr.write(`${t.path} is out of date: run npm run docs\n`);
    stale++;
  } else {
    writeFileSync(t.path, want);
    process.stdout.write(`wrote ${t.path}\n`);
  }
}
process.exit(stale ? 1 : 0);
