import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ApproveError, approve } from "../../tools/approve/approve.ts";
import { ROOT } from "../../tools/plan/run.ts";
import { runTs } from "../helpers/cli.ts";
import { res } from "./helpers.ts";

const tmp = mkdtempSync(join(tmpdir(), "labfleet-approve-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A scratch repo root holding only the stack file, so writes never touch the checkout. */
function scratch(stack: string): string {
  const root = mkdtempSync(join(tmp, "root-"));
  copyFileSync(join(ROOT, `Pulumi.${stack}.yaml`), join(root, `Pulumi.${stack}.yaml`));
  return root;
}

const policyDoc = (actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "arn:aws:s3:::b/*" }] });
const role = res("aws:iam/role:Role", "ci", { assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } }] }) });
const rp = (actions: string[]) => res("aws:iam/rolePolicy:RolePolicy", "ci-policy", { role: "ci", policy: policyDoc(actions) }, { propertyDependencies: { role: [role.urn] } });
const secretV = (value: string) => ({ ...res("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "arn:x", secretString: value }), secretPaths: ["secretString"] });

describe("npm run approve", () => {
  it("writes the stack's policy config: tunables from the stack config and sorted, stable approvals", async () => {
    const root = scratch("staging");
    const resources = [rp(["s3:GetObject"]), role, secretV("hunter2-secret")];
    const first = await approve({ stack: "staging", root, run: async () => ({ resources }) });
    expect(first.code).toBe(0);
    expect(first.file).toBe(join(root, "policies/approvals/staging.json"));
    const text = readFileSync(first.file, "utf8");
    expect(text).not.toContain("hunter2-secret");
    const doc = JSON.parse(text);
    expect(doc["rds-hardening"]).toEqual({ environment: "staging", minBackupDays: 7 });
    // the CI repository and the artifact store's upstream product repository
    expect(doc["oidc-trust-scoped"]).toEqual({ allowedRepositories: ["example-lab/labfleet", "example-lab/firmware"] });
    const gitlab = (parse(readFileSync(join(root, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, { group: string; roles: { arch: { path: string } } }> }).config["labfleet:gitlab"]!;
    expect(doc["role-repo-boundary"]).toEqual({ productRepositories: [`${gitlab.group}/${gitlab.roles.arch.path}`] });
    expect(doc["iam-change-approval"].approvals.map((a: { urn: string }) => a.urn)).toEqual([role.urn, rp([]).urn].sort());
    expect(doc["iam-change-approval"].approvals.find((a: { urn: string }) => a.urn === rp([]).urn).derived).toEqual(["role"]);
    expect(doc["secret-change-approval"].approvals).toHaveLength(1);
    expect(first.changes).toContain(`iam-change-approval: + ${role.urn}`);

    // same plan in another order, other secret value: byte-identical file
    const again = await approve({ stack: "staging", root, run: async () => ({ resources: [secretV("other"), role, rp(["s3:GetObject"])] }), check: true });
    expect(again.code).toBe(0);
    expect(again.changes).toEqual([]);

    const changed = await approve({ stack: "staging", root, run: async () => ({ resources: [role, rp(["s3:GetObject", "s3:PutObject"])] }), check: true });
    expect(changed.code).toBe(1);
    expect(changed.changes).toEqual([`iam-change-approval: ~ ${rp([]).urn} (policy)`, `secret-change-approval: - ${secretV("").urn}`]);
    expect(readFileSync(first.file, "utf8")).toBe(text); // --check never writes
  });

  it("refuses to fingerprint a secret the live pack could not recognize", async () => {
    const root = scratch("staging");
    const leaky = { ...res("aws:iam/role:Role", "r", { description: "pw=hunter2" }), secretPaths: ["description"] };
    await expect(approve({ stack: "staging", root, run: async () => ({ resources: [leaky] }) })).rejects.toThrow(ApproveError);
    await expect(approve({ stack: "staging", root, run: async () => ({ resources: [leaky] }) })).rejects.toThrow(/urn:pulumi:staging::labfleet::aws:iam\/role:Role::r description/);
    // secrets of resources no gate fingerprints (e.g. a command's SSH connection) do not matter
    const cmd = { ...res("command:remote:Command", "c", { create: "true", connection: { host: "h", privateKey: "k" } }), secretPaths: ["connection"] };
    expect((await approve({ stack: "staging", root, run: async () => ({ resources: [cmd] }) })).code).toBe(0);
  });

  it("uses labfleet:governance.approvalsFile when set", async () => {
    const root = scratch("local");
    const yaml = readFileSync(join(root, "Pulumi.local.yaml"), "utf8");
    writeFileSync(join(root, "Pulumi.local.yaml"), `${yaml}  labfleet:governance:\n    approvalsFile: gov/local-approvals.json\n    minBackupDays: 10\n`);
    mkdirSync(join(root, "gov"));
    const r = await approve({ stack: "local", root, run: async () => ({ resources: [] }) });
    expect(r.file).toBe(join(root, "gov/local-approvals.json"));
    expect(JSON.parse(readFileSync(r.file, "utf8"))["cloudsql-hardening"].minBackupDays).toBe(10);
  });

  for (const stack of ["local", "staging", "production"]) {
    it(`the committed policies/approvals/${stack}.json is up to date with the stack`, async () => {
      const r = await approve({ stack, check: true });
      expect(r.changes, r.changes.join("\n")).toEqual([]);
      expect(r.code).toBe(0);
    });
  }

  it("CLI: --check exits 0 when up to date, 2 on a bad stack", () => {
    const ok = runTs("tools/approve/cli.ts", ["--stack", "local", "--check"]);
    expect(ok.stdout).toContain("policies/approvals/local.json is up to date");
    expect(ok.status).toBe(0);
    const bad = runTs("tools/approve/cli.ts", ["--stack", "nope", "--check"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Pulumi.nope.yaml");
  });
});
