import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, hint, show } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { referenced, stackItems } from "../lib/stack.ts";

/**
 * GCP target HTTPS (and SSL) proxies reference an SSL policy in the stack with
 * `minTlsVersion` TLS_1_2 or TLS_1_3 and profile MODERN or RESTRICTED. Without `sslPolicy` the
 * load balancer uses Google's default (COMPATIBLE, TLS 1.0); a policy outside the stack cannot be
 * shown to be strong and fails too. A stack rule: the policy is another resource.
 * Unknowns: `sslPolicy` is a reference (matched by the proxy's dependency on the policy); the
 * policy's minTlsVersion and profile are literals and fail closed.
 */
const PROXIES = [
  "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
  "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
  "gcp:compute/targetSSLProxy:TargetSSLProxy",
];
const POLICIES = ["gcp:compute/sSLPolicy:SSLPolicy", "gcp:compute/regionSslPolicy:RegionSslPolicy"];
const TLS_OK = ["TLS_1_2", "TLS_1_3"];
const PROFILES_OK = ["MODERN", "RESTRICTED"];
const FIX = 'point sslPolicy at a gcp.compute.SSLPolicy { minTlsVersion: "TLS_1_2", profile: "MODERN" } (or RESTRICTED)';

export const httpsProxySslPolicy: StackValidationPolicy = {
  name: "https-proxy-ssl-policy",
  description: "GCP HTTPS/SSL proxies use an SSL policy with TLS 1.2+ and the MODERN or RESTRICTED profile.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Declare a gcp.compute.SSLPolicy with minTlsVersion TLS_1_2 and profile MODERN/RESTRICTED and set it as the proxy's sslPolicy.",
  validateStack: (args, report) => {
    const items = stackItems(args.resources);
    const byUrn = new Map(items.map((i) => [i.r.urn, i]));
    for (const proxy of items.filter((i) => PROXIES.includes(i.r.type))) {
      const name = describe(proxy.r);
      const ref = proxy.props.sslPolicy;
      const policies = referenced(proxy.r, "sslPolicy", POLICIES);
      if (ref === undefined || ref === "") {
        report(hint(`${name} has no SSL policy, so Google's default (COMPATIBLE, TLS 1.0) applies`, FIX), proxy.r.urn);
        continue;
      }
      if (policies.length === 0) {
        report(hint(`${name} uses SSL policy ${show(isUnknown(ref) ? "(unknown)" : ref)}, which is not in the stack, so its strength cannot be shown`, FIX), proxy.r.urn);
        continue;
      }
      for (const pol of policies) {
        const p = byUrn.get(pol.urn)?.props ?? {};
        const tls = p.minTlsVersion;
        const profile = p.profile;
        const where = `${name} SSL policy ${pol.name}`;
        if (isUnknown(tls) || isUnknown(profile)) report(hint(`${where} minTlsVersion/profile are unknown during preview, so they cannot be verified`, FIX), proxy.r.urn);
        if (!isUnknown(tls) && (typeof tls !== "string" || !TLS_OK.includes(tls))) report(hint(`${where} accepts TLS below 1.2 (minTlsVersion=${show(tls ?? "default TLS_1_0")})`, FIX), proxy.r.urn);
        if (!isUnknown(profile) && (typeof profile !== "string" || !PROFILES_OK.includes(profile))) report(hint(`${where} uses profile ${show(profile ?? "default COMPATIBLE")}`, FIX), proxy.r.urn);
      }
    }
  },
};
