import { describe, expect, it } from "vitest";
import { fingerprintOf } from "../../../policies/lib/fingerprint.ts";
import { advisory, approving, check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const doc = (actions: string[], resource: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resource }] });

const rolePolicy = (policy: unknown) => res("aws:iam/rolePolicy:RolePolicy", "deploy-policy", { role: "ci-deploy", policy });
const oidc = res("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github", {
  url: "https://token.actions.githubusercontent.com",
  clientIdLists: ["sts.amazonaws.com"],
});
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": "repo:example-lab/labfleet:environment:staging" } },
    },
  ],
});
const ciRole = res("aws:iam/role:Role", "ci-role", { assumeRolePolicy: trust, tags: { environment: "staging" } });
const secret = res("aws:secretsmanager/secret:Secret", "gitlab-token", { name: "lab/gitlab-token" });
const version = (value: string) => res("aws:secretsmanager/secretVersion:SecretVersion", "gitlab-token-v", { secretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lab/gitlab-token", secretString: value });

describe("iam-change-approval", () => {
  it("passes an approved IAM resource", async () => {
    const r = rolePolicy(doc(["s3:GetObject"], "arn:aws:s3:::bucket/*"));
    expect(await check("iam-change-approval", [r], approving([r]))).toEqual([]);
  });

  it("fails a new IAM resource, naming it and the approve command", async () => {
    const r = rolePolicy(doc(["s3:GetObject"], "arn:aws:s3:::bucket/*"));
    const [v, ...rest] = await check("iam-change-approval", [r]);
    expect(rest).toEqual([]);
    expect(v?.enforcementLevel).toBe("mandatory");
    expect(v?.urn).toBe(r.urn);
    expect(v?.message).toContain("new IAM resource aws:iam/rolePolicy:RolePolicy::deploy-policy");
    expect(v?.message).toContain("Fix: review the change, run `npm run approve -- --stack staging`");
  });

  it("fails a changed IAM resource and names the changed property", async () => {
    const before = rolePolicy(doc(["s3:GetObject"], "arn:aws:s3:::bucket/*"));
    const after = rolePolicy(doc(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::bucket/*"));
    const vs = await check("iam-change-approval", [after], approving([before]));
    expect(mandatory(vs)).toHaveLength(1);
    expect(vs[0]?.message).toContain("changed since its approval; changed: policy");
  });

  it("is stable across key order and JSON formatting of policy documents", async () => {
    const a = rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "x" }] }));
    const b = res("aws:iam/rolePolicy:RolePolicy", "deploy-policy", {
      policy: JSON.stringify({ Statement: [{ Resource: "x", Action: ["s3:GetObject"], Effect: "Allow" }], Version: "2012-10-17" }, null, 4),
      role: "ci-deploy",
    });
    expect(fingerprintOf(a).fingerprint).toBe(fingerprintOf(b).fingerprint);
    expect(await check("iam-change-approval", [b], approving([a]))).toEqual([]);
  });

  it("ignores __provider and other engine-internal keys", () => {
    const a = res("aws:iam/role:Role", "r", { name: "x", __provider: "exports.handler = 1" });
    const b = res("aws:iam/role:Role", "r", { name: "x", __provider: "exports.handler = 2" });
    expect(fingerprintOf(a).fingerprint).toBe(fingerprintOf(b).fingerprint);
  });

  it("leaves out what a provider's check stamps itself (a WireGuard peer's key age and rotation stamp), not its rotation trigger", () => {
    const T = "pulumi-nodejs:dynamic/wireguard:WireGuardPeer";
    const plan = res(T, "p", { name: "pi", rotateAfterDays: 90 });
    const live = res(T, "p", { name: "pi", rotateAfterDays: 90, keyCreatedAt: "2026-01-01T00:00:00.000Z", keyRotation: "rotateAfterDays: …" });
    expect(fingerprintOf(live).fingerprint).toBe(fingerprintOf(plan).fingerprint);
    expect(fingerprintOf(res(T, "p", { name: "pi", rotateAfterDays: 90, rotation: "r2" })).fingerprint).not.toBe(fingerprintOf(plan).fingerprint);
    const other = res("aws:iam/role:Role", "r", { name: "x", keyRotation: "y" });
    expect(fingerprintOf(other).fingerprint).not.toBe(fingerprintOf(res("aws:iam/role:Role", "r", { name: "x" })).fingerprint);
  });

  it("unknowns: checks the known properties and notes the deferred ones; a changed known property still fails", async () => {
    const approved = rolePolicy(doc(["s3:GetObject"], "arn:aws:s3:::bucket/*"));
    const preview = rolePolicy(unknown.string);
    const vs = await check("iam-change-approval", [preview], approving([approved]));
    expect(mandatory(vs)).toEqual([]);
    expect(advisory(vs)[0]?.message).toContain("policy unknown during preview, checked when `pulumi up` resolves them");
    const renamed = res("aws:iam/rolePolicy:RolePolicy", "deploy-policy", { role: "other-role", policy: unknown.string });
    const bad = await check("iam-change-approval", [renamed], approving([approved]));
    expect(mandatory(bad)[0]?.message).toContain("changed since its approval; changed: role");
    expect(noDowngrade([...vs, ...bad])).toBe(true);
  });
});

describe("derived properties (references to other resources)", () => {
  const doc2 = (arn: string, actions: string[]) =>
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: [arn, `${arn}/*`, "arn:aws:iam::aws:policy/ReadOnlyAccess"] }] });
  const offline = res("aws:iam/rolePolicy:RolePolicy", "read-secret", { role: "ci-deploy", policy: doc2("arn:aws:secretsmanager:eu-central-1:123456789012:secret/gitlab", ["secretsmanager:GetSecretValue"]) }, {
    propertyDependencies: { role: ["urn:role"], policy: ["urn:secret"] },
  });
  const approvals = approving([offline]);

  it("approvals made on mock values hold for the real ARNs and autonamed references", async () => {
    const live = res("aws:iam/rolePolicy:RolePolicy", "read-secret", {
      role: "ci-deploy-3f9a2c1",
      policy: doc2("arn:aws:secretsmanager:eu-central-1:111122223333:secret:gitlab-AbCdEf", ["secretsmanager:GetSecretValue"]),
    });
    expect(await check("iam-change-approval", [live], approvals)).toEqual([]);
    const preview = res("aws:iam/rolePolicy:RolePolicy", "read-secret", { role: unknown.string, policy: unknown.string });
    const vs = await check("iam-change-approval", [preview], approvals);
    expect(mandatory(vs)).toEqual([]);
    expect(advisory(vs)[0]?.message).toContain("known properties match the approval; policy, role unknown during preview, checked when `pulumi up` resolves them");
  });

  it("a property approved while unknown offline accepts the value the program computes", async () => {
    const unresolved = { ...offline, inputs: { ...offline.inputs, policy: unknown.string } };
    const live = res("aws:iam/rolePolicy:RolePolicy", "read-secret", { role: "ci-deploy-3f9a2c1", policy: doc2("arn:aws:s3:::b", ["s3:GetObject"]) });
    expect(await check("iam-change-approval", [live], approving([unresolved]))).toEqual([]);
  });

  it("a literal change inside a derived document is still a change", async () => {
    const widened = res("aws:iam/rolePolicy:RolePolicy", "read-secret", {
      role: "ci-deploy-3f9a2c1",
      policy: doc2("arn:aws:secretsmanager:eu-central-1:111122223333:secret:gitlab-AbCdEf", ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]),
    });
    const [v] = await check("iam-change-approval", [widened], approvals);
    expect(v?.message).toContain("changed since its approval; changed: policy");
  });
});

describe("wif-change-approval", () => {
  it("gates OIDC providers and web-identity roles, not plain IAM", async () => {
    expect(await check("wif-change-approval", [oidc, ciRole], approving([oidc, ciRole]))).toEqual([]);
    const vs = await check("wif-change-approval", [oidc, ciRole, rolePolicy(doc(["s3:GetObject"], "x"))]);
    expect(vs.map((v) => v.urn)).toEqual([oidc.urn, ciRole.urn]);
    expect(vs[0]?.message).toContain("new identity-federation resource aws:iam/openIdConnectProvider:OpenIdConnectProvider::github");
  });

  it("gates GCP workload identity bindings", async () => {
    const binding = res("gcp:serviceaccount/iAMMember:IAMMember", "wif-binding", {
      serviceAccountId: "projects/p/serviceAccounts/ci@p.iam.gserviceaccount.com",
      role: "roles/iam.workloadIdentityUser",
      member: "principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh/attribute.repository/example-lab/labfleet",
    });
    const [v] = await check("wif-change-approval", [binding]);
    expect(v?.message).toContain("new identity-federation resource gcp:serviceaccount/iAMMember:IAMMember::wif-binding");
    expect(await check("iam-change-approval", [binding])).toEqual([]);
  });
});

describe("secret-change-approval", () => {
  it("passes approved secrets and fails a rotation trigger change", async () => {
    const pw = res("random:index/randomPassword:RandomPassword", "db-password", { length: 32, special: true, keepers: { rotation: "1" } });
    expect(await check("secret-change-approval", [secret, pw], approving([secret, pw]))).toEqual([]);
    const rotated = res("random:index/randomPassword:RandomPassword", "db-password", { length: 32, special: true, keepers: { rotation: "2" } });
    const [v] = await check("secret-change-approval", [rotated], approving([pw]));
    expect(v?.message).toContain("secret resource random:index/randomPassword:RandomPassword::db-password");
    expect(v?.message).toContain("changed: keepers");
  });

  it("never lets a secret value into a fingerprint", async () => {
    const a = fingerprintOf(version("s3cr3t-value-A"));
    const b = fingerprintOf(version("another-value-B"));
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.excluded).toEqual(["secretString"]);
    const token = res("pulumi-nodejs:dynamic:Resource", "tok", { kind: "gitlab-project-access-token", env: { GITLAB_TOKEN: "glpat-A" }, connection: { privateKey: "PEM-A" } });
    const token2 = res("pulumi-nodejs:dynamic:Resource", "tok", { kind: "gitlab-project-access-token", env: { GITLAB_TOKEN: "glpat-B" }, connection: { privateKey: "PEM-B" } });
    expect(fingerprintOf(token).fingerprint).toBe(fingerprintOf(token2).fingerprint);
    const marked = fingerprintOf({ ...res("aws:ssm/parameter:Parameter", "p", { type: "SecureString", note: "hunter2" }), secretPaths: ["note"] });
    const marked2 = fingerprintOf({ ...res("aws:ssm/parameter:Parameter", "p", { type: "SecureString", note: "other" }), secretPaths: ["note"] });
    expect(marked.fingerprint).toBe(marked2.fingerprint);
    // the approved secret version still passes when only its value changes (a value is not a definition)
    expect(await check("secret-change-approval", [version("new")], approving([version("old")]))).toEqual([]);
  });

  it("a secret field added or removed changes the fingerprint (the marker, not the value, is hashed)", () => {
    const withSecret = version("x");
    const { secretString: _dropped, ...rest } = withSecret.inputs;
    const without = fingerprintOf({ ...withSecret, inputs: rest });
    expect(without.fingerprint).not.toBe(fingerprintOf(withSecret).fingerprint);
  });
});

describe("secret key names", () => {
  it("recognizes camelCase, snake and env-style secret names, and not look-alikes", async () => {
    const { isSecretKeyName } = await import("../../../policies/lib/resource.ts");
    for (const k of ["sshPrivateKey", "gitlabToken", "HA_TOKEN", "masterPassword", "passwordWo", "secretString", "secret_data", "client-secret", "apiKey", "credentials", "subjectToken"]) {
      expect(isSecretKeyName(k), k).toBe(true);
    }
    for (const k of ["secret", "secretId", "publicKey", "hostKey", "kmsKeyId", "tokenScopes", "tokenLifetimeDays", "presharedKey", "secretsKmsKeyArn", "rotateBeforeDays"]) {
      expect(isSecretKeyName(k), k).toBe(false);
    }
  });
});
