import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { evaluatePack, type PlanResource } from "../../tools/plan/policy-engine.ts";
import { loadPolicyConfig } from "../../tools/plan/policy.ts";
import { ROOT, runStack } from "../../tools/plan/run.ts";
import { plan } from "../helpers/cli.ts";
import { mandatory, noDowngrade } from "./helpers.ts";

/**
 * The pack on the real program: every committed stack plans without a mandatory violation, and
 * deliberately broken variants of a stack config make `npm run plan` exit 1 naming the rule.
 */
const tmp = mkdtempSync(join(tmpdir(), "labfleet-variants-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Doc = { config: Record<string, Record<string, unknown>> };

/** A copy of Pulumi.<stack>.yaml with one change, as a --config-file. */
function variant(stack: string, name: string, change: (cfg: Doc["config"]) => void): string {
  const doc = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as Doc;
  change(doc.config);
  const file = join(tmp, `${stack}-${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

async function violationsOf(stack: string, mutate?: (rs: PlanResource[]) => void) {
  const run = await runStack({ stack });
  mutate?.(run.resources);
  return { run, violations: await evaluatePack({ resources: run.resources, policyConfig: loadPolicyConfig(stack) }) };
}

describe("committed stacks", () => {
  for (const stack of ["local", "staging", "production"]) {
    it(`${stack} plans with no mandatory violation`, async () => {
      const { run, violations } = await violationsOf(stack);
      expect(mandatory(violations), JSON.stringify(mandatory(violations), null, 2)).toEqual([]);
      expect(noDowngrade(violations)).toBe(true);
      expect(run.resources.length).toBeGreaterThan(1);
    });
  }
});

describe("broken variants: npm run plan exits 1 naming the rule", () => {
  const cases: { name: string; rules: string[]; change: (c: Doc["config"]) => void }[] = [
    {
      name: "db-backups-below-minimum",
      rules: ["rds-hardening"],
      change: (c) => {
        const aws = c["labfleet:console"]!.aws as Record<string, Record<string, unknown>>;
        aws.db = { ...aws.db, backupRetentionDays: 1 };
      },
    },
    {
      name: "tty-usb-port-override",
      rules: ["hut-stable-serial"],
      change: (c) => {
        c["labfleet:hut"]!.hutCommand = "env HUT_PORT=/dev/ttyUSB0 hut";
      },
    },
    {
      name: "runner-job-timeout-over-max",
      rules: ["job-timeouts-within-role-limits"],
      change: (c) => {
        c["labfleet:hut"]!.hutCommand = "timeout 5h hut";
      },
    },
    {
      name: "unapproved-iam-change",
      rules: ["iam-change-approval", "wif-change-approval", "github-change-approval"],
      change: (c) => {
        c["labfleet:ci"]!.environments = ["staging", "qa"];
        // the new environment's deploy variables need a GitHub environment to live in
        (c["labfleet:github"]!.environments as Record<string, unknown>).qa = {};
      },
    },
  ];
  for (const v of cases) {
    it(v.name, () => {
      const r = plan(["--stack", "staging", "--config-file", variant("staging", v.name, v.change)]);
      expect(r.status, r.stderr || r.stdout.slice(-2000)).toBe(1);
      const block = r.stdout.slice(r.stdout.indexOf("mandatory ("));
      for (const rule of v.rules) expect(block).toContain(`[${rule}]`);
      expect(block).toContain("Fix: ");
    });
  }
  it("a /dev/ttyUSB0 slot in labfleet:hut is already a config error (exit 2, key path named) — the schema is the first line", () => {
    for (const serial of ["/dev/ttyUSB0", "/dev/serial/by-id/../../ttyUSB0"]) {
      const file = variant("staging", `slot-${serial.length}`, (c) => {
        (c["labfleet:hut"]!.slots as Record<string, unknown>[])[0]!.serialById = serial;
      });
      const r = plan(["--stack", "staging", "--config-file", file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("labfleet:hut.slots[0].serialById");
    }
  });

  it("the unmodified stack exits 0 through the same path", () => {
    const r = plan(["--stack", "staging", "--config-file", variant("staging", "unchanged", () => {})]);
    expect(r.status, r.stdout.slice(-2000)).toBe(0);
  });
});

describe("breakage the config cannot express (the components hard-code the safe value): the plan's own resources, one input flipped", () => {
  it("a public RDS instance → rds-hardening", async () => {
    const { violations } = await violationsOf("staging", (rs) => {
      const db = rs.find((r) => r.type === "aws:rds/instance:Instance")!;
      db.inputs.publiclyAccessible = true;
    });
    const v = mandatory(violations).filter((x) => x.policy === "rds-hardening");
    expect(v.map((x) => x.message.split("\n")[1])).toEqual([expect.stringMatching(/is publicly accessible\. Fix: set publiclyAccessible: false/)]);
  });

  it("wildcard IAM in the CI deploy policy → iam-least-privilege and iam-change-approval", async () => {
    const { violations } = await violationsOf("staging", (rs) => {
      const p = rs.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.startsWith("ci-deploy"))!;
      const doc = JSON.parse(String(p.inputs.policy)) as { Statement: Record<string, unknown>[] };
      doc.Statement.push({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" });
      p.inputs.policy = JSON.stringify(doc);
    });
    const m = mandatory(violations);
    expect(m.find((x) => x.policy === "iam-least-privilege")?.message).toContain('statement "Everything" allows wildcard actions ["*"]');
    expect(m.find((x) => x.policy === "iam-change-approval")?.message).toContain("changed since its approval; changed: policy");
  });
});
