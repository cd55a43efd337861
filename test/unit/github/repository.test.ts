import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../../../tools/plan/run.ts";
import { isSecretInput, runProgram } from "../../helpers/program.ts";
import { childrenOf, named, ofType, planOf } from "../cloud/fixtures.ts";

const T = {
  provider: "pulumi:providers:github",
  protection: "github:index/branchProtection:BranchProtection",
  environment: "github:index/repositoryEnvironment:RepositoryEnvironment",
  variable: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
};

type Job = { name?: string; strategy?: { matrix?: Record<string, unknown[]> }; steps?: { with?: Record<string, string> }[] };
const workflow = (f: string) => parse(readFileSync(join(ROOT, ".github/workflows", f), "utf8")) as { jobs: Record<string, Job> };

/** The checks GitHub reports for pr.yml, read here straight from the file: `name (matrix value)`. */
function prChecks(): string[] {
  return Object.entries(workflow("pr.yml").jobs).flatMap(([id, job]) => {
    const axes = Object.values(job.strategy?.matrix ?? {});
    if (axes.length === 0) return [job.name ?? id];
    expect(axes).toHaveLength(1); // this workflow's matrices have one axis
    return axes[0]!.map((v) => `${job.name ?? id} (${String(v)})`);
  });
}

describe("RepositoryGovernance on production", () => {
  it("protects main: reviews incl. code owners, the PR workflow's jobs as required checks, no force push/deletion, admins included", async () => {
    const run = await planOf("production");
    const [bp] = ofType(run, T.protection);
    expect(bp?.name).toBe("github-default-branch");
    expect(bp!.inputs).toMatchObject({
      repositoryId: "labfleet",
      pattern: "main",
      enforceAdmins: true,
      allowsDeletions: false,
      allowsForcePushes: false,
      requireConversationResolution: true,
      requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, requireCodeOwnerReviews: true, dismissStaleReviews: true }],
    });
    const contexts = (bp!.inputs.requiredStatusChecks as { contexts: string[]; strict: boolean }[])[0]!;
    expect(contexts.strict).toBe(true);
    expect(contexts.contexts).toEqual(prChecks());
    expect(contexts.contexts).toContain("checks");
  });

  it("the production environment: team reviewers, protected branches only, wait timer, no admin bypass", async () => {
    const run = await planOf("production");
    const envs = ofType(run, T.environment);
    expect(envs.map((e) => e.name)).toEqual(["github-env-production"]);
    expect(envs[0]!.inputs).toMatchObject({
      repository: "labfleet",
      environment: "production",
      reviewers: [{ teams: [7654321], users: [] }],
      waitTimer: 10,
      preventSelfReview: true,
      canAdminsBypass: false,
      deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
  });

  it("deploy variables are CiIdentity's outputs for the environment, every one deploy.yml reads", async () => {
    const run = await planOf("production");
    const ci = (run.outputs.plain as { ci: unknown }).ci as { aws: { deployRoleArns: Record<string, string> }; gcp: { deployProviders: Record<string, string>; deployServiceAccounts: Record<string, string> } };
    const vars = Object.fromEntries(ofType(run, T.variable).map((v) => [v.inputs.variableName as string, v]));
    const values = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.inputs.value]));
    expect(values).toEqual({
      AWS_DEPLOY_ROLE_ARN: ci.aws.deployRoleArns.production,
      AWS_REGION: "eu-central-1",
      GCP_DEPLOY_WIF_PROVIDER: ci.gcp.deployProviders.production,
      GCP_DEPLOY_SERVICE_ACCOUNT: ci.gcp.deployServiceAccounts.production,
      PULUMI_STATE_BUCKET: "example-lab-pulumi-state", // ci.aws.stateBucket of Pulumi.production.yaml
    });
    expect(values.AWS_DEPLOY_ROLE_ARN).toMatch(/ci-deploy-production/);
    const env = named(run, "github-env-production");
    for (const v of Object.values(vars)) {
      expect(v.inputs).toMatchObject({ repository: "labfleet", environment: "production" });
      expect(v.dependencies).toContain(env.urn);
    }
    const deploy = readFileSync(join(ROOT, ".github/workflows/deploy.yml"), "utf8");
    const read = [...new Set([...deploy.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1]!))].sort();
    expect(read).toEqual(Object.keys(vars).sort());
  });

  it("a GitHub provider owned by the component, its token a secret; every resource is the component's child on it", async () => {
    const run = await planOf("production");
    const [provider] = ofType(run, T.provider);
    expect(provider!.inputs.owner).toBe("example-lab");
    expect(isSecretInput(provider!, "token")).toBe(true);
    const kids = childrenOf(run, "github");
    expect(kids.map((k) => k.type).sort()).toEqual([T.provider, T.variable, T.variable, T.variable, T.variable, T.variable, T.protection, T.environment].sort());
    for (const k of kids.filter((k) => k.type !== T.provider)) expect(k.provider).toContain(provider!.urn);
  });
});

describe("RepositoryGovernance on other stacks", () => {
  it("staging owns its environment and variables, not the branch protection", async () => {
    const run = await planOf("staging");
    expect(ofType(run, T.protection)).toEqual([]);
    expect(ofType(run, T.environment).map((e) => e.inputs.environment)).toEqual(["staging"]);
    expect(ofType(run, T.environment)[0]!.inputs.reviewers).toEqual([]);
    expect(new Set(ofType(run, T.variable).map((v) => v.inputs.environment))).toEqual(new Set(["staging"]));
  });

  it("local: the section is off, no GitHub resources", async () => {
    const run = await runProgram({ stack: "local" });
    expect(run.resources.filter((r) => r.type.startsWith("github:") || r.type === T.provider)).toEqual([]);
  });
});
