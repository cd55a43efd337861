import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/plan/run.ts";

const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);

describe("static checks run with the suite", () => {
  it("strict TypeScript typecheck has no errors (npm run typecheck)", () => {
    const r = spawnSync(bin("tsc"), ["-p", "tsconfig.json", "--noEmit"], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 600_000);

  it("biome lint has no errors (npm run lint)", () => {
    const r = spawnSync(bin("biome"), ["check", "--diagnostic-level=error", "."], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).not.toMatch(/Found \d+ errors?/);
    expect(r.status).toBe(0);
  }, 120_000);
});
