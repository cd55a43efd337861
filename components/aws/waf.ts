import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";

/** AWS managed rule groups on the console's web ACL, in evaluation order. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"] as const;

export interface WafArgs {
  albArn: pulumi.Input<string>;
  rateLimitPer5Minutes: number;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * A regional WAFv2 web ACL on the ALB: a per-IP rate-based block first, then AWS's managed rule
 * groups (IP reputation, common, known bad inputs, SQL injection) in their own block/count
 * actions; everything else is allowed on to the listener (which authenticates).
 */
export function createWaf(s: ChildScope, args: WafArgs): aws.wafv2.WebAcl {
  const acl = new aws.wafv2.WebAcl(
    s.name("waf"),
    {
      scope: "REGIONAL",
      description: "console ALB: managed rule groups and a per-IP rate limit",
      defaultAction: { allow: {} },
      visibilityConfig: visibility(s.name("waf")),
      rules: [
        {
          name: "rate-limit-per-ip",
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: args.rateLimitPer5Minutes, evaluationWindowSec: 300 } },
          visibilityConfig: visibility("rate-limit-per-ip"),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
          visibilityConfig: visibility(name),
        })),
      ],
      tags: s.tags(),
    },
    s.opts(),
  );
  new aws.wafv2.WebAclAssociation(s.name("waf-alb"), { resourceArn: args.albArn, webAclArn: acl.arn }, s.opts());
  return acl;
}
