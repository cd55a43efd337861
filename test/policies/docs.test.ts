import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/pack.ts";
import { ROOT } from "../../tools/plan/run.ts";

/** docs/policies.md's table stays in sync with the rule files. */
const rows = readFileSync(join(ROOT, "docs/policies.md"), "utf8")
  .split("\n")
  .filter((l) => /^\| `[a-z0-9-]+` \|/.test(l))
  .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));

describe("docs/policies.md", () => {
  it("lists exactly the pack's rules, in pack order", () => {
    expect(rows.map((r) => r[0]?.replace(/`/g, ""))).toEqual(policies.map((p) => p.name));
  });

  it("states each rule's enforcement level and config keys", () => {
    for (const p of policies) {
      const row = rows.find((r) => r[0] === `\`${p.name}\``)!;
      expect(row[7], p.name).toBe(p.enforcementLevel);
      const keys = Object.keys(p.configSchema?.properties ?? {});
      const listed = row[8] === "—" ? [] : (row[8] ?? "").split(",").map((k) => k.trim().replace(/`/g, ""));
      expect(listed.sort(), p.name).toEqual(keys.sort());
    }
  });

  it("every rule has a description, a severity and remediation steps", () => {
    for (const p of policies) {
      expect(p.description.length, p.name).toBeGreaterThan(20);
      expect(p.severity, p.name).toBeDefined();
      expect(p.remediationSteps, p.name).toBeDefined();
    }
  });
});
