import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";

type Workflow = {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { environment?: string; permissions?: Record<string, string>; steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
};
const load = (f: string) => ({ text: readFileSync(join(ROOT, ".github/workflows", f), "utf8"), wf: parse(readFileSync(join(ROOT, ".github/workflows", f), "utf8")) as Workflow });

describe("GitHub workflows", () => {
  for (const file of ["pr.yml", "deploy.yml"]) {
    it(`${file}: minimal permissions, OIDC, no static cloud keys, policy pack on every pulumi run`, () => {
      const { text, wf } = load(file);
      // read-only at the top; the jobs that log in to a cloud mint the OIDC token (tools/workflows/rules.ts)
      expect(wf.permissions).toEqual({ contents: "read" });
      const oidcJobs = Object.values(wf.jobs).filter((j) => j.steps.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")));
      expect(oidcJobs.length).toBeGreaterThan(0);
      for (const j of oidcJobs) expect(j.permissions?.["id-token"]).toBe("write");
      for (const [k, v] of Object.entries(wf.permissions)) expect([k, v]).not.toEqual([k, "write-all"]);
      expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|GOOGLE_CREDENTIALS|credentials_json/);
      const pulumiSteps = Object.values(wf.jobs).flatMap((j) => j.steps).filter((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(pulumiSteps.length).toBeGreaterThan(0);
      for (const s of pulumiSteps) expect(s.with?.policyPacks).toBe("policies");
    });
  }

  it("pr.yml runs typecheck, lint, the tests and the offline plan of every stack", () => {
    const { text } = load("pr.yml");
    for (const cmd of ["npm run typecheck", "npm run lint", "npm test", "plan -- --stack"]) expect(text).toContain(cmd);
    expect(text).toMatch(/for s in local staging production/);
  });

  it("deploy.yml is gated by GitHub environments per stack", () => {
    const { wf } = load("deploy.yml");
    expect(wf.on).toHaveProperty("push");
    expect(wf.jobs.deploy?.environment).toBe("${{ matrix.stack }}");
  });
});
