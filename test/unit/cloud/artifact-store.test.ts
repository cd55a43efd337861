import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runProgram } from "../../helpers/program.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { asList, named, ofType, planOf, statements } from "./fixtures.ts";

const HOST = "token.actions.githubusercontent.com";
const WORKFLOW = "example-lab/labfleet/.github/workflows/firmware-upload.yml@refs/heads/main";
const COMMIT = "3f2c1a97e5d4b8c6a1f0e9d8c7b6a5f4e3d2c1b0";

describe("ArtifactStore on S3 (staging)", () => {
  beforeAll(() => planOf("staging"), 300_000);

  it("a private, versioned, SSE-KMS, TLS-only bucket with the configured lifecycle", async () => {
    const run = await planOf("staging");
    expect(named(run, "artifacts-bucket").inputs).toMatchObject({ bucket: "example-lab-labfleet-firmware-staging" });
    expect(named(run, "artifacts-key").inputs).toMatchObject({ enableKeyRotation: true });
    expect(named(run, "artifacts-versioning").inputs).toMatchObject({ versioningConfiguration: { status: "Enabled" } });
    expect(named(run, "artifacts-sse").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: expect.stringContaining("artifacts-key") }, bucketKeyEnabled: true },
    ]);
    expect(named(run, "artifacts-public-access").inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(named(run, "artifacts-lifecycle").inputs.rules).toEqual([
      expect.objectContaining({ status: "Enabled", expiration: { days: 90 }, noncurrentVersionExpiration: { noncurrentDays: 30 } }),
    ]);
    expect(statements(named(run, "artifacts-policy").inputs.policy)).toEqual([
      expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  it("the upload role trusts only the product repository's ref running the upload workflow; it only writes builds", async () => {
    const run = await planOf("staging");
    const role = named(run, "artifacts-upload");
    expect(role.inputs).toMatchObject({ name: "labfleet-staging-artifacts-upload", path: "/labfleet/staging/artifacts/" });
    const [trust] = statements(role.inputs.assumeRolePolicy);
    expect(trust?.Principal).toEqual({ Federated: expect.stringContaining("ci-github-oidc") });
    expect(trust?.Condition).toEqual({
      StringEquals: {
        [`${HOST}:aud`]: "sts.amazonaws.com",
        [`${HOST}:sub`]: ["repo:example-lab/firmware:ref:refs/heads/main", "repo:example-lab@123456789/firmware@555444333:ref:refs/heads/main"],
        [`${HOST}:repository_id`]: "555444333",
        [`${HOST}:job_workflow_ref`]: WORKFLOW,
      },
    });
    const actions = statements(named(run, "artifacts-upload-policy").inputs.policy).flatMap((s) => asList(s.Action));
    expect(actions.sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:PutObject"]);
  });

  it("the read role trusts the GitLab issuer's runner project jobs (audience, exact sub); it only reads", async () => {
    const run = await planOf("staging");
    expect(named(run, "artifacts-gitlab-oidc").inputs).toMatchObject({ url: "https://gitlab.lab.example.org", clientIdLists: ["labfleet-artifacts"] });
    const [trust] = statements(named(run, "artifacts-read").inputs.assumeRolePolicy);
    expect(trust?.Condition).toEqual({
      StringEquals: { "gitlab.lab.example.org:aud": "labfleet-artifacts", "gitlab.lab.example.org:sub": "project_path:lab-agents-staging/runner:ref_type:branch:ref:main" },
    });
    const actions = statements(named(run, "artifacts-read-policy").inputs.policy).flatMap((s) => asList(s.Action));
    expect(actions.sort()).toEqual(["kms:Decrypt", "s3:GetObject"]);
    expect(ofType(run, "aws:iam/accessKey:AccessKey")).toEqual([]);
  });

  it("the stack's deploy role reads builds (flash by commit from the deploy job) and nothing else", async () => {
    const run = await planOf("staging");
    const grant = named(run, "artifacts-deploy-staging-read");
    expect(String(grant.inputs.role)).toMatch(/ci-deploy-staging$/); // the deploy role ARN's name segment
    expect(grant.inputs.name).toBe("artifacts-read");
    expect(statements(grant.inputs.policy)).toEqual([
      { Sid: "GetBuilds", Effect: "Allow", Action: "s3:GetObject", Resource: expect.stringMatching(/\/\*$/) },
      { Sid: "DecryptBuilds", Effect: "Allow", Action: "kms:Decrypt", Resource: expect.stringContaining("artifacts-key") },
    ]);
    expect(run.resources.filter((r) => r.name.startsWith("artifacts-deploy-"))).toHaveLength(1); // no grant for the preview role
  });

  it("exports the store URL and the identities", async () => {
    const run = await planOf("staging");
    expect((run.outputs.plain as { artifacts: unknown }).artifacts).toMatchObject({ url: "s3://example-lab-labfleet-firmware-staging", provider: "aws", upload: { roleArn: expect.any(String) }, read: { roleArn: expect.any(String) } });
  });
});

describe("ArtifactStore on GCS (production)", () => {
  beforeAll(() => planOf("production"), 300_000);

  it("uniform access, public access prevention, versioning, CMEK, lifecycle", async () => {
    const run = await planOf("production");
    expect(named(run, "artifacts-bucket").inputs).toMatchObject({
      name: "example-lab-labfleet-firmware-production",
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      encryption: { defaultKmsKeyName: "projects/labfleet-production/locations/europe-west3/keyRings/labfleet/cryptoKeys/artifacts" },
      lifecycleRules: [
        { action: { type: "Delete" }, condition: { age: 365, withState: "ANY" } },
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 90, withState: "ARCHIVED" } },
      ],
    });
    expect(named(run, "artifacts-cmek-agent").inputs).toMatchObject({ role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" });
  });

  it("two providers in one pool: GitHub pinned to the product repo, ref and workflow; GitLab to the runner project", async () => {
    const run = await planOf("production");
    expect(named(run, "artifacts-github-provider").inputs.attributeCondition).toBe(
      `assertion.repository_owner_id == "123456789" && assertion.repository_id == "555444333" && assertion.repository == "example-lab/firmware" && assertion.ref == "refs/heads/main" && assertion.job_workflow_ref == "${WORKFLOW}"`,
    );
    expect(named(run, "artifacts-gitlab-provider").inputs).toMatchObject({
      attributeCondition: 'assertion.project_path == "lab-agents/runner" && assertion.ref_type == "branch" && assertion.ref == "main"',
      oidc: { issuerUri: "https://gitlab.lab.example.org", allowedAudiences: ["labfleet-artifacts"] },
    });
    expect(named(run, "artifacts-upload-bucket").inputs).toMatchObject({ role: "roles/storage.objectUser" });
    expect(named(run, "artifacts-read-bucket").inputs).toMatchObject({ role: "roles/storage.objectViewer" });
    expect(String(named(run, "artifacts-read-wif-user").inputs.member)).toMatch(/^principalSet:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/artifacts-fw-[0-9a-f]{4}\/attribute\.project_path\/lab-agents\/runner$/);
    expect(String(named(run, "artifacts-upload-wif-user").inputs.member)).toMatch(/attribute\.repository\/example-lab\/firmware$/);
    expect(ofType(run, "gcp:serviceaccount/key:Key")).toEqual([]);
    // the deploy account reads builds (flash by commit from the deploy job); the preview account gets nothing
    const deployRead = named(run, "artifacts-deploy-production-bucket");
    expect(deployRead.inputs).toMatchObject({ role: "roles/storage.objectViewer" });
    expect(String(deployRead.inputs.member)).toMatch(/^serviceAccount:.*ci-deploy-production/);
    expect(run.resources.filter((r) => r.name.startsWith("artifacts-deploy-"))).toHaveLength(1);
    expect((run.outputs.plain as { artifacts: unknown }).artifacts).toMatchObject({ url: "gs://example-lab-labfleet-firmware-production", provider: "gcp" });
  });
});

describe("flash by commit", () => {
  const stagingHut = () => (parse(readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, Record<string, unknown>> }).config["labfleet:hut"]!;

  it("a { sha } image runs hut flash --sha with the store in its stdin inventory; a { path } image is unchanged", async () => {
    const hut = stagingHut();
    const firmware = { ...(hut.firmware as object), esp32s3: { sha: COMMIT.toUpperCase() } };
    const run = await runProgram({ stack: "staging", config: { "labfleet:hut": { ...hut, firmware } } });
    const flash = named(run, "hut-02-flash");
    expect(flash.inputs.argv).toEqual(["hut", "flash", "--inventory", "-", "--slot", "hut-02", "--sha", COMMIT, "--json"]);
    expect(flash.inputs.triggers).toEqual([COMMIT, "/dev/serial/by-id/usb-1a86_USB_Single_Serial_5434019283-if00", "esp32s3"]);
    expect(JSON.parse(String(flash.inputs.stdin)).artifacts).toEqual({ store: "s3://example-lab-labfleet-firmware-staging" });
    const byPath = named(run, "hut-01-flash");
    expect(byPath.inputs.argv).toContain("--firmware");
    expect(JSON.parse(String(byPath.inputs.stdin)).artifacts).toBeUndefined();
  });
});
