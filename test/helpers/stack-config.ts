import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError, parseStackConfig } from "../../stacks/config/index.ts";
import { ROOT } from "../../tools/plan/run.ts";
import { readStackFile } from "../../tools/plan/stack-file.ts";

/**
 * The committed `Pulumi.<stack>.yaml` with `edit` applied to its parsed `config` map, validated
 * by the stack's config schema: every problem as `<key>: <message>` (empty: valid).
 */
export function configProblems<C = Record<string, unknown>>(stack: string, edit: (cfg: C) => void): string[] {
  const doc = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: C };
  edit(doc.config);
  const dir = mkdtempSync(join(tmpdir(), "labfleet-stack-cfg-"));
  try {
    const file = join(dir, "stack.yaml");
    writeFileSync(file, stringify(doc));
    const ec = readStackFile(file, "labfleet");
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(ec.config)) if (k.startsWith("labfleet:")) values[k.slice("labfleet:".length)] = v;
    parseStackConfig({ values, secretKeys: new Set(ec.secretKeys.map((k) => k.slice("labfleet:".length))) }, stack);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
