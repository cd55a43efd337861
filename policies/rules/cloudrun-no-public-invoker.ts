import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { environmentSettings, ruleConfig } from "../lib/config.ts";
import { gcpBindings, unreadableBindings } from "../lib/iam.ts";
import { describe, hint, unknownSetting } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { productionEnvironmentOf } from "../lib/resource.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * In production no Cloud Run service is open to anonymous callers: no IAM grant on a service to
 * `allUsers`/`allAuthenticatedUsers` (member, binding or policy; v2 and v1), and the invoker
 * check is switched off (`invokerIamDisabled`, v1: the `run.googleapis.com/invoker-iam-disabled`
 * annotation) only when Identity-Aware Proxy authenticates first: the service's own `iapEnabled`,
 * or IAP on a backend service in the stack that serves it through a serverless NEG.
 * A stack rule, because the IAP setting lives on other resources. Production: the resource's
 * `environment` label, else the configured environment (IAM grants carry no labels).
 * Unknowns: members, roles, policy data and the flags are literals and fail closed.
 */
const config = ruleConfig("cloudrun-no-public-invoker", z.object(environmentSettings));

const SERVICES = ["gcp:cloudrunv2/service:Service", "gcp:cloudrun/service:Service"];
const GRANTS = [
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:cloudrun/iamMember:IamMember",
  "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
  "gcp:cloudrun/iamBinding:IamBinding",
  "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
  "gcp:cloudrun/iamPolicy:IamPolicy",
];
const NEGS = ["gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup"];
const BACKENDS = ["gcp:compute/backendService:BackendService", "gcp:compute/regionBackendService:RegionBackendService"];
const PUBLIC = ["allUsers", "allAuthenticatedUsers"];
const FIX_MEMBER = "grant roles/run.invoker only to named principals (the load balancer's IAP service agent, service accounts)";
const FIX_IAP = "keep the invoker check on, or enable IAP (backend service iap.enabled, or iapEnabled on the service) before turning it off";

function checkGrant(item: StackItem, report: ReportViolation, env: string): void {
  const name = describe(item.r);
  const grant = gcpBindings(item.props);
  if (!grant.ok) {
    report(unreadableBindings(name, grant.reason), item.r.urn);
    return;
  }
  for (const { members } of grant.bindings) {
    if (members.some(isUnknown)) report(unknownSetting(name, item.props.member !== undefined ? "member" : "members"), item.r.urn);
    for (const m of members) if (typeof m === "string" && PUBLIC.includes(m)) report(hint(`${name} in ${env} opens the Cloud Run service to ${m}`, FIX_MEMBER), item.r.urn);
  }
}

function invokerCheckOff(item: StackItem): unknown {
  if (item.r.type === "gcp:cloudrunv2/service:Service") return item.props.invokerIamDisabled;
  const a = at(item.props, "metadata", "annotations", "run.googleapis.com/invoker-iam-disabled");
  return isUnknown(a) ? a : a === "true" || a === true;
}

/** Whether IAP authenticates before this service: its own iapEnabled, or a backend service reaching it through a NEG. */
function behindIap(service: StackItem, items: StackItem[]): boolean {
  if (service.props.iapEnabled === true) return true;
  const negs = items.filter((i) => NEGS.includes(i.r.type) && referenced(i.r, "cloudRun", SERVICES).some((s) => s.urn === service.r.urn));
  const negUrns = new Set(negs.map((n) => n.r.urn));
  return items.some(
    (i) =>
      BACKENDS.includes(i.r.type) &&
      referenced(i.r, "backends", NEGS).some((n) => negUrns.has(n.urn)) &&
      at(i.props, "iap", "enabled") === true,
  );
}

export const cloudrunNoPublicInvoker: StackValidationPolicy = {
  name: "cloudrun-no-public-invoker",
  description: "Production Cloud Run services are not invocable by anyone: no allUsers/allAuthenticatedUsers grants, and the invoker check is off only behind IAP.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: config.configSchema,
  remediationSteps: "Remove allUsers/allAuthenticatedUsers from Cloud Run IAM; set invokerIamDisabled only with IAP enabled on the serving backend service (or iapEnabled on the service).",
  validateStack: (args, report) => {
    const cfg = config.read(args);
    const items = stackItems(args.resources);
    for (const item of items) {
      const t = item.r.type;
      const env = productionEnvironmentOf(t, item.props, cfg);
      if (env === undefined) continue;
      if (GRANTS.includes(t)) checkGrant(item, report, env);
      else if (SERVICES.includes(t)) {
        const off = invokerCheckOff(item);
        if (isUnknown(off)) report(unknownSetting(describe(item.r), "invokerIamDisabled"), item.r.urn);
        else if (off === true && !behindIap(item, items)) {
          report(hint(`${describe(item.r)} in ${env} has the invoker check off and no IAP in front of it, so anyone reaching it is let in`, FIX_IAP), item.r.urn);
        }
      }
    }
  },
};
