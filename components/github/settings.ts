import { z } from "zod";

/** A GitHub environment name (same vocabulary as `labfleet:ci.environments`). */
const environmentName = z.string().regex(/^[a-z][a-z0-9-]{0,14}$/, "must be lower-case letters, digits and dashes (≤15 chars)");
/** GitHub's numeric ids (`gh api orgs/<org>/teams/<slug> --jq .id`, `gh api users/<login> --jq .id`). */
const githubId = z.number().int().positive();

export const GithubEnvironmentSettings = z.strictObject({
  reviewers: z
    .strictObject({
      teams: z.array(githubId).default([]).describe("numeric ids of teams whose members may approve a deployment"),
      users: z.array(githubId).default([]).describe("numeric ids of users who may approve a deployment"),
    })
    .prefault({})
    .describe("required reviewers of a deployment to this environment (at most 6 in total)"),
  waitTimerMinutes: z.number().int().min(0).max(43200).default(0).describe("minutes a deployment waits after approval before it starts"),
  protectedBranchesOnly: z.boolean().default(true).describe("only protected branches may deploy to this environment"),
  preventSelfReview: z.boolean().default(true).describe("the person who triggered a deployment cannot approve it"),
});
export type GithubEnvironmentSettings = z.output<typeof GithubEnvironmentSettings>;

/** `labfleet:github` — the repository's protection, deployment environments and their variables. */
export const GithubBody = z.strictObject({
  owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organisation name").describe("organisation or user that owns the repository"),
  repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository name").describe("the labfleet repository"),
  environments: z
    .record(environmentName, GithubEnvironmentSettings)
    .default({})
    .describe("GitHub environments this stack owns, each { reviewers: { teams, users } (numeric ids), waitTimerMinutes (0), protectedBranchesOnly (true), preventSelfReview (true) }; with ci, each gets the deploy variables of its CI identity"),
  branchProtection: z
    .strictObject({
      branch: z.string().min(1).default("main").describe("the default branch"),
      requiredApprovals: z.number().int().min(1).max(6).default(1).describe("approving reviews a pull request needs"),
      prWorkflow: z.string().regex(/^\.github\/workflows\/[^/]+\.ya?ml$/, "must be a file under .github/workflows/").default(".github/workflows/pr.yml").describe("workflow whose jobs are the required status checks"),
      requiredChecks: z.array(z.string().min(1)).min(1).optional().describe("status checks to require instead of the ones derived from prWorkflow"),
    })
    .optional()
    .describe("protect the default branch from this stack (one stack owns it: production)"),
});
export type GithubSettings = z.output<typeof GithubBody>;

/** At most six reviewers per environment (GitHub's limit). */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** Cross-key rules of `labfleet:github`. */
export function resolveGithub(g: GithubSettings, ctx: z.RefinementCtx): GithubSettings {
  for (const [name, env] of Object.entries(g.environments)) {
    const count = env.reviewers.teams.length + env.reviewers.users.length;
    if (count > MAX_ENVIRONMENT_REVIEWERS) {
      ctx.addIssue({ code: "custom", path: ["environments", name, "reviewers"], message: `has ${count} reviewers; GitHub allows at most ${MAX_ENVIRONMENT_REVIEWERS}` });
    }
  }
  return g;
}
