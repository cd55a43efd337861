import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";

type Step = { name?: string; uses?: string; if?: string; with?: Record<string, string> };
type Job = { environment?: string; strategy?: { matrix?: { stack?: string[] } }; steps: Step[] };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Job> };
/** A GitHub expression as written in the YAML: `${{ e }}`. */
const gh = (e: string) => `$\{{ ${e} }}`;
const load = (f: string) => parse(readFileSync(join(ROOT, ".github/workflows", f), "utf8")) as Workflow;
const stackCi = (stack: string) =>
  (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, { environments: string[]; gcp: { enabled: boolean } }> }).config["labfleet:ci"]!;

describe("workflows authenticate with the identities CiIdentity trusts", () => {
  it("pr preview: no GitHub environment (sub …:pull_request), per-stack preview role and WIF account", () => {
    const job = load("pr.yml").jobs.preview!;
    expect(job.environment).toBeUndefined();
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with!["role-to-assume"]).toContain("vars.AWS_PREVIEW_ROLE_ARN_PRODUCTION");
    expect(aws.with!["role-to-assume"]).toContain("vars.AWS_PREVIEW_ROLE_ARN_STAGING");
    const gcp = job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"))!;
    expect(Object.keys(gcp.with!).sort()).toEqual(["service_account", "workload_identity_provider"]);
    expect(gcp.with!.workload_identity_provider).toContain("vars.GCP_PREVIEW_WIF_PROVIDER_");
    const preview = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(job.steps.indexOf(aws)).toBeLessThan(preview);
    expect(job.steps.indexOf(gcp)).toBeLessThan(preview);
  });

  it("deploy: each stack runs in its GitHub environment, which that stack's ci.environments trusts", () => {
    const job = load("deploy.yml").jobs.deploy!;
    expect(job.environment).toBe(gh("matrix.stack"));
    for (const stack of job.strategy!.matrix!.stack!) expect(stackCi(stack).environments).toContain(stack);
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with!["role-to-assume"]).toBe(gh("vars.AWS_DEPLOY_ROLE_ARN"));
    const gcp = job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"))!;
    expect(gcp.with).toEqual({ workload_identity_provider: gh("vars.GCP_DEPLOY_WIF_PROVIDER"), service_account: gh("vars.GCP_DEPLOY_SERVICE_ACCOUNT") });
  });
});
