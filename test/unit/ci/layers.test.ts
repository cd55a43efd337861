import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/plan/run.ts";

/** The layers, lowest first (docs/architecture.md); .dependency-cruiser.cjs forbids every upward import. */
const LAYERS = ["hardware", "components", "stacks", "policies", "tools"];
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

function depcruise(cwd: string, dirs: string[]) {
  return spawnSync(join(ROOT, "node_modules", ".bin", "depcruise"), ["--config", CONFIG, "--output-type", "err", ...dirs], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
  });
}

describe("imports run one way: hardware → components → stacks → policies → tools (npm run deps)", () => {
  it("no layer imports a later one", () => {
    const r = depcruise(ROOT, LAYERS);
    // On failure the output lists each offending import: `error no-upward-import-from-<layer>: <from> → <to>`.
    expect(r.stdout.split("\n").filter((l) => /^\s*error /.test(l))).toEqual([]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);

  const fixture = mkdtempSync(join(tmpdir(), "labfleet-layers-"));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it("an upward import fails, named with its rule, file and target", () => {
    for (const d of LAYERS) mkdirSync(join(fixture, d));
    writeFileSync(join(fixture, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", allowImportingTsExtensions: true, noEmit: true } }));
    writeFileSync(join(fixture, "tools/plan.ts"), "export const plan = 1;\n");
    writeFileSync(join(fixture, "stacks/config.ts"), 'import { plan } from "../tools/plan.ts";\nexport const config = plan;\n');
    writeFileSync(join(fixture, "components/vm.ts"), 'import type { config } from "../stacks/config.ts";\nexport type Vm = typeof config;\n');
    writeFileSync(join(fixture, "hardware/cli.ts"), "export const cli = 1;\n");
    writeFileSync(join(fixture, "policies/rule.ts"), 'import { cli } from "../hardware/cli.ts";\nexport const rule = cli;\n');
    const r = depcruise(fixture, LAYERS);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("error no-upward-import-from-stacks: stacks/config.ts → tools/plan.ts");
    expect(r.stdout).toContain("error no-upward-import-from-components: components/vm.ts → stacks/config.ts");
    expect(r.stdout).not.toContain("policies/rule.ts");
  }, 120_000);
});
