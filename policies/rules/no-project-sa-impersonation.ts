import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { gcpBindings, unreadableBindings } from "../lib/iam.ts";
import { describe, hint, unknownSetting } from "../lib/message.ts";
import { asArray, isUnknown } from "../lib/reveal.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * No one may impersonate every service account of a project (or folder, organization): no grant
 * at that level of `roles/iam.serviceAccountUser` or `roles/iam.serviceAccountTokenCreator`, nor
 * of a custom role in the stack that carries their permissions (actAs, access/ID tokens,
 * signing, delegation). Grant them on the one service account instead
 * (`gcp.serviceaccount.IAMMember`). A stack rule, because a custom role is another resource.
 * Unknowns: a role that references a custom role in the stack is judged by that role's
 * permissions; any other unknown role, member list or policy data fails closed.
 */
const GRANTS = ["projects", "folder", "organizations"].flatMap((m) => [`gcp:${m}/iAMMember:IAMMember`, `gcp:${m}/iAMBinding:IAMBinding`]);
const POLICIES = ["projects", "folder", "organizations"].map((m) => `gcp:${m}/iAMPolicy:IAMPolicy`);
const CUSTOM_ROLES = ["gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole"];
const ROLES = ["roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator"];
const PERMISSIONS = [
  "iam.serviceAccounts.actAs",
  "iam.serviceAccounts.getAccessToken",
  "iam.serviceAccounts.getOpenIdToken",
  "iam.serviceAccounts.implicitDelegation",
  "iam.serviceAccounts.signBlob",
  "iam.serviceAccounts.signJwt",
];
const FIX = "grant the role on the service account the principal must use (gcp.serviceaccount.IAMMember), not on the project";

function checkRole(role: unknown, where: string, item: StackItem, byUrn: Map<string, StackItem>, report: ReportViolation): void {
  if (typeof role === "string" && role.startsWith("roles/")) {
    if (ROLES.includes(role)) report(hint(`${where} grants ${role}, which lets the member act as every service account`, FIX), item.r.urn);
    return;
  }
  // a custom role: judged by its permissions when it is in the stack (policy documents name roles, not resources)
  const custom = POLICIES.includes(item.r.type) ? [] : referenced(item.r, "role", CUSTOM_ROLES);
  if (custom.length === 0) {
    if (isUnknown(role)) report(unknownSetting(where, "role"), item.r.urn);
    return;
  }
  for (const c of custom) {
    const perms = asArray(byUrn.get(c.urn)?.props.permissions);
    if (perms.some(isUnknown)) report(unknownSetting(`${where} custom role ${c.name}`, "permissions"), item.r.urn);
    const bad = perms.filter((p): p is string => typeof p === "string" && PERMISSIONS.includes(p));
    if (bad.length > 0) report(hint(`${where} grants custom role ${c.name} with ${bad.join(", ")}, which lets the member act as every service account`, FIX), item.r.urn);
  }
}

export const noProjectSaImpersonation: StackValidationPolicy = {
  name: "no-project-sa-impersonation",
  description: "No project-, folder- or organization-level grant lets a principal impersonate every service account.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Bind roles/iam.serviceAccountUser / serviceAccountTokenCreator on the specific service account, never on the project, folder or organization.",
  validateStack: (args, report) => {
    const items = stackItems(args.resources);
    const byUrn = new Map(items.map((i) => [i.r.urn, i]));
    for (const item of items) {
      const name = describe(item.r);
      if (!GRANTS.includes(item.r.type) && !POLICIES.includes(item.r.type)) continue;
      const grant = gcpBindings(item.props);
      if (!grant.ok) {
        report(unreadableBindings(name, grant.reason), item.r.urn);
        continue;
      }
      const where = POLICIES.includes(item.r.type) ? `${name} binding` : name;
      for (const b of grant.bindings) checkRole(b.role, where, item, byUrn, report);
    }
  },
};
