import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";

type Step = { name?: string; uses?: string; if?: string; with?: Record<string, string | boolean> };
type Job = { environment?: string; strategy?: { matrix?: { stack?: string[] } }; steps: Step[] };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Job> };
/** A GitHub expression as written in the YAML: `${{ e }}`. */
const gh = (e: string) => `$\{{ ${e} }}`;
const load = (f: string) => parse(readFileSync(join(ROOT, ".github/workflows", f), "utf8")) as Workflow;
const stackCi = (stack: string) =>
  (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, { environments: string[]; gcp: { enabled: boolean } }> }).config["labfleet:ci"]!;

describe("no long-lived secret reaches a pull_request job", () => {
  it("pr.yml: no PULUMI_ACCESS_TOKEN (or any secret but the job's GITHUB_TOKEN); state via the S3 backend, no refresh", () => {
    const text = readFileSync(join(ROOT, ".github/workflows/pr.yml"), "utf8");
    expect(text).not.toContain("PULUMI_ACCESS_TOKEN");
    expect([...text.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1])).toEqual(["GITHUB_TOKEN"]);
    const step = load("pr.yml").jobs.preview!.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ "cloud-url": "s3://${{ vars.PULUMI_STATE_BUCKET }}", refresh: false });
  });

  it("deploy.yml: the same backend, no Pulumi access token either", () => {
    const text = readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8");
    expect(text).not.toContain("PULUMI_ACCESS_TOKEN");
    const step = load("deploy.yml").jobs.deploy!.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with!["cloud-url"]).toBe("s3://${{ vars.PULUMI_STATE_BUCKET }}");
  });
});

describe("workflows authenticate with the identities CiIdentity trusts", () => {
  it("pr preview: no GitHub environment (sub …:pull_request), the preview role and WIF account of a stack whose previews may decrypt", () => {
    const job = load("pr.yml").jobs.preview!;
    expect(job.environment).toBeUndefined();
    // Only stacks with ci.previewSecrets (never production) are previewed from a pull request.
    for (const stack of job.strategy!.matrix!.stack!) expect((stackCi(stack) as { previewSecrets?: boolean }).previewSecrets, stack).toBe(true);
    expect((stackCi("production") as { previewSecrets?: boolean }).previewSecrets ?? false).toBe(false);
    const aws = job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!;
    expect(aws.with!["role-to-assume"]).toBe(gh("vars.AWS_PREVIEW_ROLE_ARN_STAGING"));
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
