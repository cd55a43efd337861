import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as github from "@pulumi/github";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint, show } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * The default branch merges through review with the PR checks: a BranchProtection of `branch`
 * requires ≥1 approving review and code-owner review, every check in `requiredChecks` (the PR
 * workflow's jobs, written by `npm run approve` from labfleet:github), conversation resolution,
 * no force push, no deletion, and holds administrators too. Unknowns fail closed.
 */
const config = ruleConfig(
  "github-default-branch-protected",
  z.object({
    branch: z.string().default("main").describe("the default branch"),
    requiredChecks: z.array(z.string()).default([]).describe("status checks the protection must require (the PR workflow's jobs)"),
  }),
);

const FIX = "declare it through labfleet:github.branchProtection (components/github/repository.ts)";

function check(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  const cfg = config.read(args);
  if (!isUnknown(props.pattern) && props.pattern !== cfg.branch) return;
  const label = `${describe(args)} (branch ${show(props.pattern)})`;
  const flag = (key: string, want: boolean, what: string) => {
    if (props[key] !== want) report(hint(`${label}: ${key} is ${show(props[key] ?? null)}, ${what}`, `set ${key}: ${want}; ${FIX}`));
  };
  const reviews = asArray(props.requiredPullRequestReviews)[0];
  const count = at(reviews, "requiredApprovingReviewCount");
  if (typeof count !== "number" || count < 1) {
    report(hint(`${label} does not require an approving review (requiredApprovingReviewCount ${show(count ?? null)})`, `require at least 1; ${FIX}`));
  }
  if (at(reviews, "requireCodeOwnerReviews") !== true) report(hint(`${label} does not require code-owner review`, `set requireCodeOwnerReviews: true; ${FIX}`));
  const contexts = asArray(at(asArray(props.requiredStatusChecks)[0], "contexts"));
  if (contexts.length === 0 || contexts.some(isUnknown)) {
    report(hint(`${label} requires no status checks`, `require the PR workflow's jobs; ${FIX}`));
  } else {
    const missing = cfg.requiredChecks.filter((c) => !contexts.includes(c));
    if (missing.length > 0) report(hint(`${label} does not require the PR checks ${missing.map((m) => show(m)).join(", ")}`, `require every job of the PR workflow; ${FIX}`));
  }
  flag("requireConversationResolution", true, "so a PR can merge with open review threads");
  flag("allowsForcePushes", false, "so history can be rewritten");
  flag("allowsDeletions", false, "so the branch can be deleted");
  flag("enforceAdmins", true, "so administrators skip the rules");
}

export const githubDefaultBranchProtected: ResourceValidationPolicy = {
  name: "github-default-branch-protected",
  description: "The default branch requires approving and code-owner review, the PR workflow's checks, resolved conversations, no force push or deletion, admins included.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "Protect the default branch through labfleet:github.branchProtection.",
  validateResource: onTypes([github.BranchProtection], check),
};
