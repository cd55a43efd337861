import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { describe, hint, show, unknownSetting } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * CloudWatch log groups declare a retention period; without one (or with 0) CloudWatch keeps
 * every event forever. Log groups services create on their own (RDS log exports, Lambda) are not
 * in the plan: declare them in the program so this rule sees them.
 * Unknowns: retentionInDays is a literal; unknown fails closed.
 */
const FIX = "set retentionInDays to a CloudWatch retention period (e.g. 30, 90, 365)";

export const logGroupRetention: ResourceValidationPolicy = {
  name: "log-group-retention",
  description: "CloudWatch log groups expire their events after a declared retention period.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Set retentionInDays on every aws.cloudwatch.LogGroup; declare the log groups services would otherwise create without retention.",
  validateResource: onTypes([aws.cloudwatch.LogGroup], (props, args, report) => {
    const days = props.retentionInDays;
    if (isUnknown(days)) report(unknownSetting(describe(args), "retentionInDays"));
    else if (typeof days !== "number" || days <= 0) report(hint(`${describe(args)} keeps its events forever (retentionInDays=${show(days ?? "unset")})`, FIX));
  }),
};
