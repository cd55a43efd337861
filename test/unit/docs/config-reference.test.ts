import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderConfigReference } from "../../../tools/docs/config-reference.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { SECRET_KEY_NAMES } from "../../../stacks/config/secrets.ts";

describe("docs/config.md", () => {
  const committed = readFileSync(join(ROOT, "docs", "config.md"), "utf8");

  it("is exactly what the schema generates (run `npm run docs` after a schema change)", () => {
    expect(committed).toBe(renderConfigReference());
  });

  it("documents every section, slot field and secret key", () => {
    for (const key of ["labfleet:console.aws.region", "labfleet:wireguard.hub.cidr", "labfleet:lxd.runners[].type", "labfleet:gitlab.url", "labfleet:hut.slots[].serialById", "labfleet:ci.github.owner", "labfleet:governance.minBackupDays"]) {
      expect(committed).toContain(`\`${key}\``);
    }
    for (const s of SECRET_KEY_NAMES) expect(committed).toContain(`\`labfleet:${s}\``);
  });
});
