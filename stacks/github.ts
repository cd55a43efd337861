import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import type { TagContext } from "../components/component.ts";
import type { CiIdentityOutputs } from "../components/ci/identity.ts";
import { RepositoryGovernance } from "../components/github/repository.ts";
import { deployVariables } from "../components/github/variables.ts";
import { loadWorkflow, statusChecksOf } from "../components/github/workflow.ts";
import type { StackConfig, StackConfigData } from "./config/index.ts";

/** The project root (the folder above stacks/), where .github/workflows/ lives. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The required status checks: config, else the jobs of the PR workflow read at plan time. */
export function requiredChecks(cfg: Pick<StackConfigData, "github">, root = ROOT): string[] {
  const bp = cfg.github.enabled ? cfg.github.branchProtection : undefined;
  if (!bp) return [];
  return bp.requiredChecks ?? statusChecksOf(loadWorkflow(root, bp.prWorkflow));
}

/** The repository's governance with the deploy variables of this stack's CI identity, or nothing. */
export function repositoryGovernance(cfg: StackConfig, tags: TagContext, ci: CiIdentityOutputs | undefined): RepositoryGovernance | undefined {
  if (!cfg.github.enabled || !cfg.secrets.githubToken) return undefined;
  // The region the deploy job's AWS session uses: the console's, else the stack's AWS provider's.
  const region = cfg.console.aws.enabled ? cfg.console.aws.region : new pulumi.Config("aws").get("region");
  return new RepositoryGovernance("github", {
    tags,
    settings: cfg.github,
    token: cfg.secrets.githubToken,
    requiredChecks: requiredChecks(cfg),
    variables: ci ? deployVariables(ci, region, cfg.ci.enabled ? cfg.ci.aws.stateBucket : undefined) : {},
  });
}
