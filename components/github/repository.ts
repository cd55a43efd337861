import * as github from "@pulumi/github";
import type * as pulumi from "@pulumi/pulumi";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import type { GithubSettings } from "./settings.ts";
import type { EnvironmentVariables } from "./variables.ts";

export interface RepositoryGovernanceArgs extends LabComponentArgs {
  settings: GithubSettings;
  /** token of the GitHub provider (secret) */
  token: pulumi.Input<string>;
  /** status checks the default branch requires (the PR workflow's jobs); needed with branchProtection */
  requiredChecks: string[];
  /** environment → variable → value (components/github/variables.ts) */
  variables: EnvironmentVariables;
}

/**
 * The labfleet repository's governance on GitHub: protection of the default branch (reviews,
 * code owners, the PR checks, resolved conversations, no force push or deletion, administrators
 * included), the deployment environments this stack owns (reviewers, protected branches only, wait
 * timer) and the environment-scoped variables its workflows read.
 */
export class RepositoryGovernance extends LabComponent {
  readonly environments: Record<string, github.RepositoryEnvironment> = {};
  readonly variables: github.ActionsEnvironmentVariable[] = [];
  readonly branchProtection?: github.BranchProtection;

  constructor(name: string, args: RepositoryGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("github", "RepositoryGovernance", name, args, opts);
    const s = args.settings;
    const provider = new github.Provider(this.childName("provider"), { owner: s.owner, token: args.token }, this.child());
    const child = (extra: pulumi.CustomResourceOptions = {}) => this.child({ provider, ...extra });

    for (const [env, e] of Object.entries(s.environments)) {
      const reviewers = e.reviewers.teams.length + e.reviewers.users.length > 0 ? [{ teams: e.reviewers.teams, users: e.reviewers.users }] : [];
      this.environments[env] = new github.RepositoryEnvironment(
        this.childName(`env-${env}`),
        {
          repository: s.repo,
          environment: env,
          reviewers,
          waitTimer: e.waitTimerMinutes,
          preventSelfReview: e.preventSelfReview,
          canAdminsBypass: false,
          deploymentBranchPolicy: { protectedBranches: e.protectedBranchesOnly, customBranchPolicies: false },
        },
        child(),
      );
    }

    for (const [env, vars] of Object.entries(args.variables)) {
      const environment = this.environments[env];
      if (!environment) throw new Error(`labfleet:github.environments: has no entry for ${JSON.stringify(env)}, which CiIdentity deploys to`);
      for (const [variableName, value] of Object.entries(vars)) {
        this.variables.push(
          new github.ActionsEnvironmentVariable(
            this.childName(`${env}-${variableName.toLowerCase().replaceAll("_", "-")}`),
            { repository: s.repo, environment: environment.environment, variableName, value },
            child({ dependsOn: [environment] }),
          ),
        );
      }
    }

    const bp = s.branchProtection;
    if (bp) {
      const contexts = bp.requiredChecks ?? args.requiredChecks;
      if (contexts.length === 0) throw new Error("labfleet:github.branchProtection: no required status checks (the PR workflow has no jobs)");
      this.branchProtection = new github.BranchProtection(
        this.childName("default-branch"),
        {
          repositoryId: s.repo,
          pattern: bp.branch,
          enforceAdmins: true,
          allowsDeletions: false,
          allowsForcePushes: false,
          requireConversationResolution: true,
          requiredLinearHistory: false,
          requiredPullRequestReviews: [
            { requiredApprovingReviewCount: bp.requiredApprovals, requireCodeOwnerReviews: true, dismissStaleReviews: true, requireLastPushApproval: true },
          ],
          requiredStatusChecks: [{ strict: true, contexts }],
        },
        child(),
      );
    }
    this.registerOutputs({ environments: Object.keys(this.environments), branchProtection: this.branchProtection?.id });
  }
}
