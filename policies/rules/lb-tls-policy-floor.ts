import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { describe, hint, show, unknownSetting } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * ALB/NLB listeners that terminate TLS (HTTPS, TLS) name an AWS security policy whose lowest
 * protocol is TLS 1.2: the `ELBSecurityPolicy-TLS13-1-2-*` / `-TLS13-1-3-*` families (incl. the
 * Res, Ext, FIPS and PQ variants) and the TLS-1.2-only `ELBSecurityPolicy-TLS-1-2-*` /
 * `ELBSecurityPolicy-FS-1-2-*` policies. An absent `sslPolicy` fails: listeners created through
 * the API get `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0. Custom or unrecognised names
 * fail (the floor must be shown, not assumed).
 * Unknowns: protocol and sslPolicy are literals; unknown fails closed.
 */
const TLS_PROTOCOLS = ["HTTPS", "TLS"];
/** `ELBSecurityPolicy-TLS13-1-<minor>-…` and `ELBSecurityPolicy-(TLS|FS)-1-<minor>-…`: minor is the lowest TLS 1.x. */
const FLOOR = /^ELBSecurityPolicy-(?:TLS13|TLS|FS)-1-(\d)-/;
const FIX = 'set sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 + 1.3) or a stricter TLS13-1-2/1-3 policy';

/** The lowest TLS 1.x minor version a predefined ELB security policy accepts, if recognised. */
export function tlsFloorOf(policy: string): number | undefined {
  const m = FLOOR.exec(policy);
  return m ? Number(m[1]) : undefined;
}

export const lbTlsPolicyFloor: ResourceValidationPolicy = {
  name: "lb-tls-policy-floor",
  description: "Load balancer listeners that terminate TLS use an AWS security policy that refuses anything below TLS 1.2.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set the listener's sslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or a TLS13-1-2-Res / TLS13-1-3 policy).",
  validateResource: onTypes([aws.lb.Listener, aws.alb.Listener], (props, args, report) => {
    const name = describe(args);
    const proto = props.protocol;
    const policy = props.sslPolicy;
    if (isUnknown(proto)) {
      // an unknown protocol with a policy set is judged by the policy; without one it cannot be shown
      if (policy === undefined) {
        report(unknownSetting(name, "protocol"));
        return;
      }
    } else if (typeof proto !== "string" || !TLS_PROTOCOLS.includes(proto)) {
      return;
    }
    if (isUnknown(policy)) report(unknownSetting(name, "sslPolicy"));
    else if (typeof policy !== "string") report(hint(`${name} sets no sslPolicy, so AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0`, FIX));
    else {
      const floor = tlsFloorOf(policy);
      if (floor === undefined) report(hint(`${name} uses security policy ${show(policy)}, which is not a recognised TLS 1.2+ ELB policy`, FIX));
      else if (floor < 2) report(hint(`${name} uses security policy ${show(policy)}, which accepts TLS 1.${floor}`, FIX));
    }
  }),
};
