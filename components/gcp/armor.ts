import * as gcp from "@pulumi/gcp";
import type { ChildScope } from "../component.ts";

/** Cloud Armor preconfigured WAF rules (OWASP CRS 3.3, sensitivity 1) on the console's backend. */
export const PRECONFIGURED_WAF_RULES = ["sqli-v33-stable", "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable", "protocolattack-v33-stable", "scannerdetection-v33-stable"] as const;

/**
 * A Cloud Armor backend security policy: a per-IP throttle (429 above the rate), the
 * preconfigured WAF rules (403), and the mandatory default rule allowing the rest on to IAP.
 */
export function createSecurityPolicy(s: ChildScope, rateLimitPerMinute: number): gcp.compute.SecurityPolicy {
  return new gcp.compute.SecurityPolicy(
    s.name("armor"),
    {
      description: "console load balancer: per-IP rate limit and preconfigured WAF rules",
      type: "CLOUD_ARMOR",
      rules: [
        {
          priority: 100,
          action: "throttle",
          description: "per-IP rate limit",
          match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
          rateLimitOptions: { conformAction: "allow", exceedAction: "deny(429)", enforceOnKey: "IP", rateLimitThreshold: { count: rateLimitPerMinute, intervalSec: 60 } },
        },
        ...PRECONFIGURED_WAF_RULES.map((rule, i) => ({
          priority: 1000 + i,
          action: "deny(403)",
          description: `preconfigured WAF ${rule}`,
          match: { expr: { expression: `evaluatePreconfiguredWaf('${rule}', {'sensitivity': 1})` } },
        })),
        { priority: 2147483647, action: "allow", description: "default: allow (IAP authenticates)", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } },
      ],
    },
    s.opts(),
  );
}
