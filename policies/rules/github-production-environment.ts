import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as github from "@pulumi/github";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint, show } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * A production GitHub environment is a human gate: at least one required reviewer (team or user),
 * deployments from protected branches only (no custom branch policies), and administrators may not
 * bypass it. Unknowns fail closed: these inputs are literals in every sane program.
 */
const config = ruleConfig(
  "github-production-environment",
  z.object({
    productionEnvironments: z.array(z.string()).default(["production"]).describe("GitHub environment names held to this rule"),
  }),
);

function check(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  const env = props.environment;
  const { productionEnvironments } = config.read(args);
  if (!isUnknown(env) && !productionEnvironments.includes(String(env))) return;
  const label = `${describe(args)} (environment ${show(env)})`;
  // only known ids count: unknown reviewers fail closed
  const reviewers = asArray(props.reviewers)
    .flatMap((r) => [...asArray(at(r, "teams")), ...asArray(at(r, "users"))])
    .filter((id) => typeof id === "number");
  if (reviewers.length === 0) {
    report(hint(`${label} has no required reviewers: a deployment to production would need nobody's approval`, "set labfleet:github.environments.<env>.reviewers (team or user ids)"));
  }
  const policy = props.deploymentBranchPolicy;
  if (at(policy, "protectedBranches") !== true || at(policy, "customBranchPolicies") !== false) {
    report(hint(`${label} does not restrict deployments to protected branches (deploymentBranchPolicy ${show(policy ?? null)})`, "set protectedBranches: true, customBranchPolicies: false (labfleet:github.environments.<env>.protectedBranchesOnly)"));
  }
  if (props.canAdminsBypass !== false) {
    report(hint(`${label} lets administrators bypass its reviewers (canAdminsBypass ${show(props.canAdminsBypass ?? "default true")})`, "set canAdminsBypass: false"));
  }
}

export const githubProductionEnvironment: ResourceValidationPolicy = {
  name: "github-production-environment",
  description: "The production GitHub environment has required reviewers, deploys from protected branches only and admins cannot bypass it.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "Give the environment required reviewers and a protected-branches-only deployment policy (labfleet:github.environments).",
  validateResource: onTypes([github.RepositoryEnvironment], check),
};
