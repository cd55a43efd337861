import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const member = (name: string, role: unknown, type = "gcp:projects/iAMMember:IAMMember", extra = {}) =>
  res(type, name, { project: "p", role, member: "serviceAccount:ci@p.iam.gserviceaccount.com" }, extra);
const customRole = (name: string, permissions: unknown) => res("gcp:projects/iAMCustomRole:IAMCustomRole", name, { project: "p", roleId: name, permissions });
const via = (role: { urn: string }) => ({ dependencies: [role.urn], propertyDependencies: { role: [role.urn] } });

describe("no-project-sa-impersonation", () => {
  it("passes ordinary project roles, custom roles without impersonation, and serviceAccountUser on one service account", async () => {
    const deploy = customRole("deploy", ["run.services.update", "iam.serviceAccounts.get"]);
    const rs = [
      member("sql", "roles/cloudsql.client"),
      deploy,
      member("deploy", "projects/p/roles/deploy", undefined, via(deploy)),
      res("gcp:serviceaccount/iAMMember:IAMMember", "act-as-runtime", { serviceAccountId: "run-sa", role: "roles/iam.serviceAccountUser", member: "serviceAccount:ci@p.iam.gserviceaccount.com" }),
      res("gcp:projects/iAMPolicy:IAMPolicy", "policy", { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["group:ops@example.org"] }] }) }),
    ];
    expect(await check("no-project-sa-impersonation", rs)).toEqual([]);
  });

  it("fails serviceAccountUser/TokenCreator at project, folder or organization level, and custom roles carrying their permissions", async () => {
    const actAs = customRole("deployer", ["run.services.update", "iam.serviceAccounts.actAs"]);
    const rs = [
      member("user", "roles/iam.serviceAccountUser"),
      res("gcp:projects/iAMBinding:IAMBinding", "tokens", { project: "p", role: "roles/iam.serviceAccountTokenCreator", members: ["group:ci@example.org"] }),
      member("folder", "roles/iam.serviceAccountUser", "gcp:folder/iAMMember:IAMMember"),
      res("gcp:organizations/iAMPolicy:IAMPolicy", "org", { orgId: "1", policyData: JSON.stringify({ bindings: [{ role: "roles/iam.serviceAccountTokenCreator", members: ["user:a@example.org"] }] }) }),
      actAs,
      member("custom", "projects/p/roles/deployer", undefined, via(actAs)),
    ];
    const vs = await check("no-project-sa-impersonation", rs);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:projects/iAMMember:IAMMember::user grants roles/iam.serviceAccountUser, which lets the member act as every service account",
      "gcp:projects/iAMBinding:IAMBinding::tokens grants roles/iam.serviceAccountTokenCreator, which lets the member act as every service account",
      "gcp:folder/iAMMember:IAMMember::folder grants roles/iam.serviceAccountUser, which lets the member act as every service account",
      "gcp:organizations/iAMPolicy:IAMPolicy::org binding grants roles/iam.serviceAccountTokenCreator, which lets the member act as every service account",
      "gcp:projects/iAMMember:IAMMember::custom grants custom role deployer with iam.serviceAccounts.actAs, which lets the member act as every service account",
    ]);
  });

  it("a custom role unknown during preview is judged by its permissions; other unknowns and unreadable policies fail closed", async () => {
    const safe = customRole("safe", ["run.services.get"]);
    const pending = customRole("pending", unknown.array);
    const rs = [
      safe,
      member("by-ref", unknown.string, undefined, via(safe)),
      pending,
      member("pending-perms", unknown.string, undefined, via(pending)),
      member("literal", unknown.string),
      res("gcp:projects/iAMPolicy:IAMPolicy", "policy", { project: "p", policyData: unknown.string }),
      res("gcp:projects/iAMPolicy:IAMPolicy", "broken", { project: "p", policyData: "not json" }),
    ];
    const vs = await check("no-project-sa-impersonation", rs);
    expect(problems(mandatory(vs))).toEqual([
      "gcp:projects/iAMMember:IAMMember::pending-perms custom role pending permissions is unknown during preview, so it cannot be verified",
      "gcp:projects/iAMMember:IAMMember::literal role is unknown during preview, so it cannot be verified",
      "gcp:projects/iAMPolicy:IAMPolicy::policy policyData is unknown during preview, so it cannot be verified",
      "gcp:projects/iAMPolicy:IAMPolicy::broken policyData is not valid JSON",
    ]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
