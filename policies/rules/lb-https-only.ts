import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { describe, hint, show } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * Load balancers serve HTTPS only: an AWS listener is HTTPS/TLS, or HTTP whose every default
 * action redirects to HTTPS; a listener rule on an HTTP listener may only redirect to HTTPS;
 * a GCP target HTTP proxy is allowed only when its URL map redirects everything to HTTPS.
 * A stack rule, because the listener rule's listener and the proxy's URL map are other resources.
 * Unknowns: protocols and actions are literals and fail closed when unknown.
 */
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const LISTENER_RULES = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
const FIX_REDIRECT = 'make it an HTTPS listener, or give HTTP only a redirect action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }';

type Redirects = "yes" | "no" | "unknown";

function redirectsToHttps(actions: unknown): Redirects {
  if (isUnknown(actions)) return "unknown";
  const list = asArray(actions);
  if (list.length === 0) return "no";
  let unknown = false;
  for (const a of list) {
    const type = at(a, "type");
    const proto = at(a, "redirect", "protocol");
    if (isUnknown(type) || isUnknown(proto)) unknown = true;
    else if (type !== "redirect" || proto !== "HTTPS") return "no";
  }
  return unknown ? "unknown" : "yes";
}

function listenerProtocol(item: StackItem): unknown {
  const p = item.props.protocol;
  return p === undefined ? "HTTP" : p;
}

function checkListener(item: StackItem, report: ReportViolation) {
  const name = describe(item.r);
  const proto = listenerProtocol(item);
  if (isUnknown(proto)) {
    report(hint(`${name} protocol is unknown during preview`, "set protocol to a literal"), item.r.urn);
    return;
  }
  if (proto === "HTTPS" || proto === "TLS") return;
  if (proto === "HTTP") {
    const r = redirectsToHttps(item.props.defaultActions);
    if (r === "unknown") report(hint(`${name} is HTTP and its default actions are unknown during preview`, FIX_REDIRECT), item.r.urn);
    else if (r === "no") report(hint(`${name} serves plain HTTP (port ${show(item.props.port)}) instead of redirecting to HTTPS`, FIX_REDIRECT), item.r.urn);
    return;
  }
  report(hint(`${name} uses protocol ${show(proto)}, which is not HTTPS`, "terminate TLS on the listener (protocol HTTPS or TLS)"), item.r.urn);
}

export const lbHttpsOnly: StackValidationPolicy = {
  name: "lb-https-only",
  description: "Load balancers serve HTTPS only; plain HTTP may only redirect to HTTPS.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Use HTTPS listeners/target HTTPS proxies with a certificate; keep HTTP only as a 301 redirect to HTTPS.",
  validateStack: (args, report) => {
    const items = stackItems(args.resources);
    const byUrn = new Map(items.map((i) => [i.r.urn, i]));
    for (const item of items) {
      const t = item.r.type;
      if (LISTENERS.includes(t)) checkListener(item, report);
      else if (LISTENER_RULES.includes(t)) {
        for (const l of referenced(item.r, "listenerArn", LISTENERS)) {
          const listener = byUrn.get(l.urn);
          if (!listener || listenerProtocol(listener) !== "HTTP") continue;
          const r = redirectsToHttps(item.props.actions);
          if (r !== "yes") {
            report(hint(`${describe(item.r)} on HTTP listener ${l.name} ${r === "unknown" ? "has actions unknown during preview" : "forwards plain HTTP"}`, FIX_REDIRECT), item.r.urn);
          }
        }
      } else if (t === "gcp:compute/targetHttpProxy:TargetHttpProxy") {
        const maps = referenced(item.r, "urlMap", ["gcp:compute/uRLMap:URLMap"]);
        if (maps.length === 0) {
          report(hint(`${describe(item.r)} is a plain-HTTP proxy whose URL map is not in the stack, so its redirect cannot be shown`, "point it at a URL map with defaultUrlRedirect.httpsRedirect: true"), item.r.urn);
        }
        for (const m of maps) {
          const redirect = at(byUrn.get(m.urn)?.props, "defaultUrlRedirect", "httpsRedirect");
          if (redirect !== true) {
            report(hint(`${describe(item.r)} serves plain HTTP: its URL map ${m.name} does not redirect to HTTPS${isUnknown(redirect) ? " (unknown during preview)" : ""}`, "set defaultUrlRedirect: { httpsRedirect: true } on the HTTP URL map"), item.r.urn);
          }
        }
      }
    }
  },
};
