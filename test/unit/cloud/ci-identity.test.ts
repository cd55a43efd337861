import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GCP_DEPLOY_PERMISSIONS, GCP_PREVIEW_PERMISSIONS } from "../../../components/ci/gcp-permissions.ts";
import { asList, named, ofType, planOf, STACKS, statements } from "./fixtures.ts";

const REPO = "example-lab/labfleet";
/** The immutable subject form of the same repository (owner and repository ids from the stack config). */
const REPO_IDS = "example-lab@123456789/labfleet@987654321";
/** The stack's random pool suffix as the mock runtime computes it (tools/plan/mocks.ts). */
const SUFFIX = createHash("sha256").update("ci-pool-suffix").digest("hex").slice(0, 4);
const pool = (purpose: string) => `github-${purpose}-${SUFFIX}`;
const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get)[A-Za-z]*$/;
/** CiIdentity's own children (the artifact store's pool, accounts and bucket grants: artifact-store.test.ts). */
const ci = (r: { name: string }) => r.name.startsWith("ci-");

describe.each(STACKS)("CiIdentity on %s", (stack) => {
  it("AWS: GitHub OIDC provider with the STS audience; no access keys anywhere", async () => {
    const run = await planOf(stack);
    expect(ofType(run, "labfleet:ci:CiIdentity").map((r) => r.name)).toEqual(["ci"]);
    // (the artifact store's GitLab provider is checked in artifact-store.test.ts)
    const oidc = ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").filter(ci);
    expect(oidc.map((o) => o.inputs)).toEqual([expect.objectContaining({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] })]);
    for (const forbidden of ["aws:iam/accessKey:AccessKey", "gcp:serviceaccount/key:Key", "aws:iam/user:User"]) expect(ofType(run, forbidden)).toEqual([]);
  });

  it("AWS: the preview role trusts only pull_request jobs of the repository, and only reads", async () => {
    const run = await planOf(stack);
    const role = named(run, "ci-preview");
    expect(role.inputs).toMatchObject({ name: `labfleet-${stack}-ci-preview`, path: `/labfleet/${stack}/ci/` });
    expect(statements(role.inputs.assumeRolePolicy)).toEqual([
      {
        Sid: "GithubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: expect.stringContaining("ci-github-oidc") },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [`repo:${REPO}:pull_request`, `repo:${REPO_IDS}:pull_request`],
          },
        },
      },
    ]);
    const st = statements(named(run, "ci-preview-policy").inputs.policy);
    for (const s of st.filter((x) => x.Sid !== "StateLock")) {
      for (const a of asList(s.Action)) expect(a === "kms:Decrypt" || a === "s3:GetObject" || READ_ONLY.test(a), `${s.Sid}: ${a}`).toBe(true);
    }
    // Only its own stack's checkpoint, and only that stack's lock is writable.
    const state = st.find((s) => s.Sid === "StateObjectsRead");
    expect(state).toMatchObject({
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::example-lab-pulumi-state/.pulumi/meta.yaml", `arn:aws:s3:::example-lab-pulumi-state/.pulumi/stacks/labfleet/${stack}.json`],
    });
    expect(st.find((s) => s.Sid === "StateLock")?.Resource).toBe(`arn:aws:s3:::example-lab-pulumi-state/.pulumi/locks/labfleet/${stack}/*`);
    // A pull request decrypts staging's secrets (previewSecrets), never production's.
    const decrypt = st.filter((s) => asList(s.Action).includes("kms:Decrypt"));
    expect(decrypt.length).toBe(stack === "staging" ? 1 : 0);
    const deploy = statements(named(run, `ci-deploy-${stack}-policy`).inputs.policy);
    expect(deploy.find((s) => s.Sid === "SecretsProviderEncryptDecrypt")?.Resource).toMatch(/^arn:aws:kms:eu-central-1:123456789012:key\//);
  });

  it(`AWS: one deploy role, trusted only for the ${stack} GitHub environment`, async () => {
    const run = await planOf(stack);
    const deploy = ofType(run, "aws:iam/role:Role").filter((r) => r.name.startsWith("ci-deploy-"));
    expect(deploy.map((r) => r.name)).toEqual([`ci-deploy-${stack}`]);
    const trust = statements(deploy[0]!.inputs.assumeRolePolicy);
    expect(trust).toHaveLength(1);
    expect(trust[0]!.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": [`repo:${REPO}:environment:${stack}`, `repo:${REPO_IDS}:environment:${stack}`],
      },
    });
    expect(JSON.stringify(trust)).not.toMatch(/StringLike|\*/);
  });

  it("AWS: no wildcard actions, `*` resources only for reads AWS cannot scope, no IAM writes but PassRole to ECS", async () => {
    const run = await planOf(stack);
    for (const name of ["ci-preview-policy", `ci-deploy-${stack}-policy`]) {
      const st = statements(named(run, name).inputs.policy);
      for (const s of st) {
        expect(s.Effect).toBe("Allow");
        for (const a of asList(s.Action)) expect(a, `${name} ${s.Sid}`).not.toContain("*");
        const resources = asList(s.Resource);
        expect(resources.length, `${name} ${s.Sid}`).toBeGreaterThan(0);
        if (resources.includes("*")) {
          for (const a of asList(s.Action)) {
            const ok = READ_ONLY.test(a) || ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"].includes(a);
            expect(ok, `${name} ${s.Sid}: ${a} on *`).toBe(true);
          }
        }
        for (const a of asList(s.Action).filter((x) => x.startsWith("iam:"))) {
          expect(READ_ONLY.test(a) || a === "iam:PassRole", `${name}: ${a}`).toBe(true);
        }
      }
      const pass = st.filter((s) => asList(s.Action).includes("iam:PassRole"));
      for (const s of pass) {
        expect(s.Resource).toBe(`arn:aws:iam::123456789012:role/labfleet/${stack}/console/*`);
        expect(s.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
      }
    }
    const deploy = statements(named(run, `ci-deploy-${stack}-policy`).inputs.policy);
    const rds = deploy.find((s) => s.Sid === "ManageRds")!;
    expect(asList(rds.Action)).not.toContain("rds:DeleteDBInstance");
    expect(asList(rds.Resource).every((r) => r.startsWith("arn:aws:rds:eu-central-1:123456789012:"))).toBe(true);
    expect(deploy.find((s) => s.Sid === "ManageConsoleRecords")?.Resource).toBe("arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ");
  });

  it("GCP: one pool per purpose (ids with the stack's random suffix); providers pin owner id, repository id, repository and subjects", async () => {
    const run = await planOf(stack);
    const pools = ofType(run, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool").filter(ci).map((p) => p.inputs.workloadIdentityPoolId).sort();
    expect(pools).toEqual([pool(stack), pool("preview")].sort());
    expect(named(run, "ci-pool-suffix").inputs.byteLength).toBe(2);
    const providers = ofType(run, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").filter(ci);
    const bySub: Record<string, string> = { [pool(stack)]: `environment:${stack}`, [pool("preview")]: "pull_request" };
    expect(providers).toHaveLength(2);
    for (const p of providers) {
      const tail = bySub[String(p.inputs.workloadIdentityPoolId)];
      expect(p.inputs.attributeCondition).toBe(
        `assertion.repository_owner_id == "123456789" && assertion.repository_id == "987654321" && assertion.repository == "${REPO}" && assertion.sub in ["repo:${REPO}:${tail}", "repo:${REPO_IDS}:${tail}"]`,
      );
      expect(p.inputs.attributeMapping).toMatchObject({ "google.subject": "assertion.sub", "attribute.repository": "assertion.repository", "attribute.repository_owner_id": "assertion.repository_owner_id" });
      expect(p.inputs.oidc).toEqual({ issuerUri: "https://token.actions.githubusercontent.com" });
    }
  });

  it("GCP: the pools wait for the token-exchange APIs (sts, iamcredentials) to be enabled", async () => {
    const run = await planOf(stack);
    const wif = ["cloudresourcemanager.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "sts.googleapis.com"];
    const apis = ofType(run, "gcp:projects/service:Service").filter((a) => wif.includes(a.inputs.service as string));
    expect(apis.map((a) => a.inputs.service).sort()).toEqual(wif);
    for (const a of apis) expect(a.inputs).toMatchObject({ project: `labfleet-${stack}`, disableOnDestroy: false });
    for (const pool of ofType(run, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")) {
      expect(pool.dependencies).toEqual(expect.arrayContaining(apis.map((a) => a.urn)));
    }
  });

  it("GCP: service accounts trust only their pool's repository principal set, never a whole pool; no keys", async () => {
    const run = await planOf(stack);
    const bindings = ofType(run, "gcp:serviceaccount/iAMMember:IAMMember").filter((b) => ci(b) && b.inputs.role === "roles/iam.workloadIdentityUser");
    expect(bindings.map((b) => [b.name, b.inputs.member]).sort()).toEqual(
      [
        ["ci-preview-wif-user", `principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/${pool("preview")}/attribute.repository/${REPO}`],
        [`ci-${stack}-wif-user`, `principalSet://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/${pool(stack)}/attribute.repository/${REPO}`],
      ].sort(),
    );
    for (const b of bindings) expect(String(b.inputs.member)).not.toMatch(/\/\*$/);
  });

  it("GCP: least-privilege custom roles only — no basic or admin roles, no setIamPolicy, no wildcards", async () => {
    const run = await planOf(stack);
    const grants = ofType(run, "gcp:projects/iAMMember:IAMMember").map((g) => String(g.inputs.role));
    for (const role of grants) expect(role).not.toMatch(/^roles\/(owner|editor|viewer)$|[Aa]dmin/);
    const custom = ofType(run, "gcp:projects/iAMCustomRole:IAMCustomRole");
    expect(custom.map((c) => c.inputs.roleId).sort()).toEqual(["labfleetCiDeploy", "labfleetCiPreview"]);
    for (const c of custom) {
      const preview = c.inputs.roleId === "labfleetCiPreview";
      const forbidden = preview ? /\*|setIamPolicy|actAs|\.(create|update|delete|add|use|destroy|enable|disable|addPeering)$/ : /\*|setIamPolicy|actAs/;
      for (const p of c.inputs.permissions as string[]) expect(p, String(c.inputs.roleId)).not.toMatch(forbidden);
      if (preview) expect(c.inputs.permissions).not.toContain("secretmanager.versions.access");
    }
    expect(GCP_PREVIEW_PERMISSIONS.every((p) => GCP_DEPLOY_PERMISSIONS.includes(p))).toBe(true);
    expect(GCP_DEPLOY_PERMISSIONS).not.toContain("cloudsql.instances.delete");
    // The state backend is S3 (docs/runbooks/ci-identity.md): no grants on a GCS bucket nobody uses.
    expect(ofType(run, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(ci)).toEqual([]);
    // Refresh works: the IAM policies of the state bucket/key are readable; the deploy role gets no setIamPolicy while IAP is on.
    const preview = custom.find((c) => c.inputs.roleId === "labfleetCiPreview")!.inputs.permissions as string[];
    expect(preview).toEqual(expect.arrayContaining(["storage.buckets.getIamPolicy", "cloudkms.cryptoKeys.getIamPolicy", "run.services.getIamPolicy"]));
  });

  it("GCP: the deploy account may act as the console's runtime and bootstrap accounts only (not project-wide)", async () => {
    const run = await planOf(stack);
    const actAs = ofType(run, "gcp:serviceaccount/iAMMember:IAMMember").filter((b) => b.inputs.role === "roles/iam.serviceAccountUser");
    expect(actAs.map((b) => [b.inputs.serviceAccountId, b.inputs.member]).sort()).toEqual(
      [
        ["console-gcp-db-bootstrap-sa", `serviceAccount:ci-deploy-${stack}@proj.iam.gserviceaccount.com`],
        ["console-gcp-run-sa", `serviceAccount:ci-deploy-${stack}@proj.iam.gserviceaccount.com`],
      ].sort(),
    );
    const projectActAs = ofType(run, "gcp:projects/iAMMember:IAMMember").filter((b) => String(b.inputs.role).includes("serviceAccount"));
    expect(projectActAs).toEqual([]);
  });

  it("exports what the workflows consume", async () => {
    const run = await planOf(stack);
    const ci = (run.outputs.plain as { ci: Record<string, Record<string, unknown>> }).ci;
    expect(Object.keys(ci.aws!).sort()).toEqual(["deployRoleArns", "oidcProviderArn", "previewRoleArn"]);
    expect(Object.keys(ci.aws!.deployRoleArns as object)).toEqual([stack]);
    expect(ci.gcp).toEqual({
      previewProvider: `projects/123456789/locations/global/workloadIdentityPools/${pool("preview")}/providers/github`,
      previewServiceAccount: "ci-preview@proj.iam.gserviceaccount.com",
      deployProviders: { [stack]: `projects/123456789/locations/global/workloadIdentityPools/${pool(stack)}/providers/github` },
      deployServiceAccounts: { [stack]: `ci-deploy-${stack}@proj.iam.gserviceaccount.com` },
    });
    expect(run.outputs.secretPaths.filter((p) => p.startsWith("ci"))).toEqual([]);
  });
});
