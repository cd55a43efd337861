import { describe, expect, it } from "vitest";
import { approving, check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const T = {
  env: "github:index/repositoryEnvironment:RepositoryEnvironment",
  bp: "github:index/branchProtection:BranchProtection",
  variable: "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
};

const environment = (environment: unknown, extra: Record<string, unknown> = {}) =>
  res(T.env, `github-env-${String(environment)}`, {
    repository: "labfleet",
    environment,
    reviewers: [{ teams: [7654321], users: [] }],
    canAdminsBypass: false,
    deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    ...extra,
  });

const CHECKS = ["checks", "preview (staging)", "preview (production)"];
const protection = (extra: Record<string, unknown> = {}) =>
  res(T.bp, "github-default-branch", {
    repositoryId: "labfleet",
    pattern: "main",
    enforceAdmins: true,
    allowsDeletions: false,
    allowsForcePushes: false,
    requireConversationResolution: true,
    requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1, requireCodeOwnerReviews: true }],
    requiredStatusChecks: [{ strict: true, contexts: CHECKS }],
    ...extra,
  });
const bpConfig = { "github-default-branch-protected": { branch: "main", requiredChecks: CHECKS } };
const lines = (vs: { message: string }[]) => vs.map((v) => v.message.split("\n")[1]);

describe("github-production-environment", () => {
  it("passes production with reviewers and protected branches; staging needs neither", async () => {
    expect(await check("github-production-environment", [environment("production"), environment("staging", { reviewers: [], deploymentBranchPolicy: undefined })])).toEqual([]);
  });

  it("fails production without reviewers, with custom branch policies, with an admin bypass", async () => {
    const vs = await check("github-production-environment", [
      environment("production", { reviewers: [] }),
      environment("production", { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } }),
      environment("production", { canAdminsBypass: undefined }),
    ]);
    expect(mandatory(vs)).toHaveLength(3);
    expect(lines(vs)[0]).toBe(
      'github:index/repositoryEnvironment:RepositoryEnvironment::github-env-production (environment "production") has no required reviewers: a deployment to production would need nobody\'s approval. Fix: set labfleet:github.environments.<env>.reviewers (team or user ids)',
    );
    expect(lines(vs)[1]).toContain("does not restrict deployments to protected branches");
    expect(lines(vs)[2]).toContain("lets administrators bypass its reviewers");
  });

  it("holds the configured production names, and fails closed on an unknown name or reviewers", async () => {
    const cfg = { "github-production-environment": { productionEnvironments: ["prod"] } };
    expect(await check("github-production-environment", [environment("production", { reviewers: [] })], cfg)).toEqual([]);
    expect(mandatory(await check("github-production-environment", [environment("prod", { reviewers: [] })], cfg))).toHaveLength(1);
    const vs = await check("github-production-environment", [environment(unknown.string, { reviewers: [] }), environment("production", { reviewers: unknown.array })]);
    expect(mandatory(vs)).toHaveLength(2);
    expect(noDowngrade(vs)).toBe(true);
  });
});

describe("github-default-branch-protected", () => {
  it("passes the protection the component declares; other branches are not judged", async () => {
    expect(await check("github-default-branch-protected", [protection(), protection({ pattern: "release/*", enforceAdmins: false })], bpConfig)).toEqual([]);
  });

  it("fails each missing safeguard, naming it", async () => {
    const vs = await check(
      "github-default-branch-protected",
      [
        protection({
          requiredPullRequestReviews: [{ requiredApprovingReviewCount: 0, requireCodeOwnerReviews: false }],
          requiredStatusChecks: [{ strict: true, contexts: ["checks"] }],
          requireConversationResolution: false,
          allowsForcePushes: true,
          allowsDeletions: true,
          enforceAdmins: false,
        }),
      ],
      bpConfig,
    );
    expect(lines(vs).map((l) => l?.split(". Fix")[0])).toEqual([
      "github:index/branchProtection:BranchProtection::github-default-branch (branch \"main\") does not require an approving review (requiredApprovingReviewCount 0)",
      "github:index/branchProtection:BranchProtection::github-default-branch (branch \"main\") does not require code-owner review",
      'github:index/branchProtection:BranchProtection::github-default-branch (branch "main") does not require the PR checks "preview (staging)", "preview (production)"',
      'github:index/branchProtection:BranchProtection::github-default-branch (branch "main"): requireConversationResolution is false, so a PR can merge with open review threads',
      'github:index/branchProtection:BranchProtection::github-default-branch (branch "main"): allowsForcePushes is true, so history can be rewritten',
      'github:index/branchProtection:BranchProtection::github-default-branch (branch "main"): allowsDeletions is true, so the branch can be deleted',
      'github:index/branchProtection:BranchProtection::github-default-branch (branch "main"): enforceAdmins is false, so administrators skip the rules',
    ]);
    expect(mandatory(vs)).toHaveLength(7);
  });

  it("fails no reviews block and no status checks; an unknown pattern is judged (fail closed)", async () => {
    const vs = await check("github-default-branch-protected", [protection({ pattern: unknown.string, requiredPullRequestReviews: undefined, requiredStatusChecks: undefined })], bpConfig);
    expect(lines(vs).map((l) => l?.split(". Fix")[0]?.split(") ")[1])).toEqual([
      "does not require an approving review (requiredApprovingReviewCount null)",
      "does not require code-owner review",
      "requires no status checks",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});

describe("github-change-approval", () => {
  const variable = (variableName: string, value: string) => res(T.variable, `github-production-${variableName.toLowerCase()}`, { repository: "labfleet", environment: "production", variableName, value });
  const member = res("github:index/teamMembership:TeamMembership", "deployer", { teamId: "42", username: "someone", role: "member" });

  it("gates environments, branch protection, membership and identity variables; not a region variable", async () => {
    const gated = [environment("production"), protection(), member, variable("AWS_DEPLOY_ROLE_ARN", "arn:aws:iam::123456789012:role/ci-deploy-production")];
    const region = variable("AWS_REGION", "eu-central-1");
    const vs = await check("github-change-approval", [...gated, region]);
    expect(vs.map((v) => v.urn)).toEqual(gated.map((r) => r.urn));
    for (const v of vs) expect(v.message).toContain("has no approval. Fix: review the change, run `npm run approve -- --stack staging`");
    expect(await check("github-change-approval", [...gated, region], approving(gated))).toEqual([]);
  });

  it("fails a changed reviewer list or a re-pointed deploy role, naming the property", async () => {
    const role = variable("AWS_DEPLOY_ROLE_ARN", "arn:aws:iam::123456789012:role/ci-deploy-production");
    const cfg = approving([environment("production"), role]);
    const vs = await check("github-change-approval", [environment("production", { reviewers: [{ teams: [1], users: [] }] }), variable("AWS_DEPLOY_ROLE_ARN", "arn:aws:iam::999999999999:role/other")], cfg);
    expect(mandatory(vs).map((v) => v.message.split("changed: ")[1]?.split(".")[0])).toEqual(["reviewers", "value"]);
  });
});
