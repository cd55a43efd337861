import { describe, expect, it } from "vitest";
import { advisory, check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const HOST = "token.actions.githubusercontent.com";
const trust = (condition: unknown) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${HOST}` },
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  });
const role = (assumeRolePolicy: unknown) => res("aws:iam/role:Role", "ci-deploy", { assumeRolePolicy });
const scoped = { StringEquals: { [`${HOST}:sub`]: "repo:example-lab/labfleet:environment:staging", [`${HOST}:aud`]: "sts.amazonaws.com" } };
const provider = (attributeCondition: unknown) =>
  res("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "github", {
    workloadIdentityPoolId: "gh",
    workloadIdentityPoolProviderId: "github",
    attributeMapping: { "google.subject": "assertion.sub", "attribute.repository": "assertion.repository" },
    oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
    attributeCondition,
  });

describe("oidc-trust-scoped", () => {
  it("passes a role pinned to one repository and environment, and a scoped GCP provider", async () => {
    const cfg = { "oidc-trust-scoped": { allowedRepositories: ["example-lab/labfleet"] } };
    expect(await check("oidc-trust-scoped", [role(trust(scoped)), provider('assertion.repository == "example-lab/labfleet"')], cfg)).toEqual([]);
  });

  it("fails a missing sub condition, a wildcard repository, a foreign repository, a missing aud", async () => {
    const vs = await check(
      "oidc-trust-scoped",
      [
        role(trust(undefined)),
        role(trust({ StringLike: { [`${HOST}:sub`]: "repo:example-lab/*:*", [`${HOST}:aud`]: "sts.amazonaws.com" } })),
        role(trust({ StringEquals: { [`${HOST}:sub`]: "repo:someone/else:ref:refs/heads/main", [`${HOST}:aud`]: "sts.amazonaws.com" } })),
        role(trust({ StringEquals: { [`${HOST}:sub`]: "repo:example-lab/labfleet:environment:staging" } })),
      ],
      { "oidc-trust-scoped": { allowedRepositories: ["example-lab/labfleet"] } },
    );
    const lines = vs.map((v) => v.message.split("\n")[1]);
    expect(lines[0]).toBe(
      'aws:iam/role:Role::ci-deploy trust statement #0 trusts GitHub OIDC without a token.actions.githubusercontent.com:sub condition: any repository could assume it. Fix: add Condition StringEquals {"token.actions.githubusercontent.com:sub": "repo:<owner>/<repo>:environment:<env>", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}',
    );
    expect(lines[1]).toContain("does not pin token.actions.githubusercontent.com:aud");
    expect(lines[2]).toContain('sub condition "repo:example-lab/*:*" is not scoped to one repository');
    expect(lines[3]).toContain("trusts repository someone/else, which is not in allowedRepositories. Fix: trust only example-lab/labfleet");
    expect(lines[4]).toContain("does not pin token.actions.githubusercontent.com:aud to sts.amazonaws.com");
    expect(mandatory(vs)).toHaveLength(5);
  });

  it("reads getPolicyDocument-shaped trust documents", async () => {
    const tf = (values: string[]) =>
      JSON.stringify({
        statements: [
          {
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: ["arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"] }],
            conditions: [
              { test: "StringEquals", variable: `${HOST}:aud`, values: ["sts.amazonaws.com"] },
              { test: "StringLike", variable: `${HOST}:sub`, values },
            ],
          },
        ],
      });
    expect(await check("oidc-trust-scoped", [role(tf(["repo:example-lab/labfleet:environment:staging"]))])).toEqual([]);
    const [v] = await check("oidc-trust-scoped", [role(tf(["repo:*/*:*"]))]);
    expect(v?.message).toContain('sub condition "repo:*/*:*" is not scoped to one repository');
  });

  it("fails GCP providers without a repository condition", async () => {
    const vs = await check("oidc-trust-scoped", [provider(undefined), provider('assertion.repository_owner == "example-lab"'), provider('assertion.repository == "a/b" || true')]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::github has no attributeCondition: any identity from the issuer may federate",
      'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::github attributeCondition "assertion.repository_owner == \\"example-lab\\"" does not compare the repository',
      'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::github attributeCondition "assertion.repository == \\"a/b\\" || true" ORs the repository check with other clauses',
    ]);
  });

  it("unknowns: an unknown trust document is deferred (advisory), an unknown condition block and an unknown attributeCondition fail closed", async () => {
    const deferred = await check("oidc-trust-scoped", [role(unknown.string)]);
    expect(mandatory(deferred)).toEqual([]);
    expect(advisory(deferred)[0]?.message).toContain("trust policy: the policy document is unknown during preview; it is checked when `pulumi up` resolves it.");
    const condUnknown = await check("oidc-trust-scoped", [
      res("aws:iam/role:Role", "r", {
        assumeRolePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: "x" }, Condition: unknown.object }] },
      }),
    ]);
    expect(mandatory(condUnknown)[0]?.message).toContain("its condition is unknown during preview");
    const gcp = await check("oidc-trust-scoped", [provider(unknown.string)]);
    expect(mandatory(gcp)[0]?.message).toContain("attributeCondition is unknown during preview");
    expect(noDowngrade([...deferred, ...condUnknown, ...gcp])).toBe(true);
  });

  it("trust in another issuer (GitLab id_tokens) must pin that issuer's sub and aud; its GCP provider the project path", async () => {
    const GL = "gitlab.lab.example.org";
    const gitlab = (condition: unknown, federated = `arn:aws:iam::123456789012:oidc-provider/${GL}`) =>
      role(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Principal: { Federated: federated }, ...(condition ? { Condition: condition } : {}) }] }));
    const ok = { StringEquals: { [`${GL}:sub`]: "project_path:lab/runner:ref_type:branch:ref:main", [`${GL}:aud`]: "labfleet-artifacts" } };
    const cfg = { "oidc-trust-scoped": { allowedRepositories: ["example-lab/labfleet"] } };
    expect(await check("oidc-trust-scoped", [gitlab(ok), gitlab(ok, "arn:aws:iam::1:oidcprovider/mock")], cfg)).toEqual([]);
    const vs = await check("oidc-trust-scoped", [
      gitlab(undefined),
      gitlab({ StringLike: { [`${GL}:sub`]: "project_path:lab/*", [`${GL}:aud`]: "labfleet-artifacts" } }),
      gitlab({ StringEquals: { [`${GL}:sub`]: "project_path:lab/*:ref_type:branch:ref:main" } }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      `aws:iam/role:Role::ci-deploy trust statement #0 trusts OIDC issuer ${GL} without a StringEquals ${GL}:sub condition: any of its identities could assume it`,
      `aws:iam/role:Role::ci-deploy trust statement #0 does not pin ${GL}:aud`,
      // StringLike pins neither
      `aws:iam/role:Role::ci-deploy trust statement #0 trusts OIDC issuer ${GL} without a StringEquals ${GL}:sub condition: any of its identities could assume it`,
      `aws:iam/role:Role::ci-deploy trust statement #0 does not pin ${GL}:aud`,
      `aws:iam/role:Role::ci-deploy trust statement #0 ${GL}:sub condition "project_path:lab/*:ref_type:branch:ref:main" uses a wildcard`,
      `aws:iam/role:Role::ci-deploy trust statement #0 does not pin ${GL}:aud`,
    ]);
    const glProvider = (attributeCondition: unknown) =>
      res("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "gitlab", { oidc: { issuerUri: "https://gitlab.lab.example.org" }, attributeCondition });
    expect(await check("oidc-trust-scoped", [glProvider('assertion.project_path in ["lab/runner"] && assertion.ref == "main"')], cfg)).toEqual([]);
    const gvs = await check("oidc-trust-scoped", [glProvider(undefined), glProvider('assertion.project_path == "lab/runner" || true')]);
    expect(gvs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::gitlab attributeCondition "" does not pin assertion.project_path: any project on https://gitlab.lab.example.org could federate',
      'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider::gitlab attributeCondition "assertion.project_path == \\"lab/runner\\" || true" ORs the project check with other clauses',
    ]);
  });
});
