import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const STORE = "labfleet:artifacts:ArtifactStore";
const inStore = (type: string, name: string, inputs: Record<string, unknown>, extra = {}) => {
  const r = res(type, name, inputs, extra);
  return { ...r, urn: r.urn.replace(`::${type}::`, `::${STORE}$${type}::`) };
};
const s3 = (name = "artifacts-bucket") => inStore("aws:s3/bucket:Bucket", name, { bucket: "fw" });
const on = (bucket: { urn: string }) => ({ dependencies: [bucket.urn], propertyDependencies: { bucket: [bucket.urn] } });
const versioning = (b: { urn: string }, status = "Enabled") => inStore("aws:s3/bucketVersioning:BucketVersioning", "v", { bucket: unknown.string, versioningConfiguration: { status } }, on(b));
const sse = (b: { urn: string }, sseAlgorithm = "aws:kms") =>
  inStore("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { bucket: unknown.string, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm } }] }, on(b));
const TLS_ONLY = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: { AWS: "*" }, Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
const policy = (b: { urn: string }, doc: unknown = TLS_ONLY) => inStore("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: unknown.string, policy: doc }, on(b));
const gcs = (inputs: Record<string, unknown>) =>
  inStore("gcp:storage/bucket:Bucket", "artifacts-bucket", { name: "fw", uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", versioning: { enabled: true }, ...inputs });

describe("artifact-store-hardening", () => {
  it("passes a versioned, SSE-KMS, TLS-only S3 store and a hardened GCS store; ignores buckets outside the store", async () => {
    const b = s3();
    expect(await check("artifact-store-hardening", [b, versioning(b), sse(b), policy(b)])).toEqual([]);
    expect(await check("artifact-store-hardening", [gcs({})])).toEqual([]);
    expect(await check("artifact-store-hardening", [res("aws:s3/bucket:Bucket", "alb-logs", { bucketPrefix: "x" })])).toEqual([]);
  });

  it("fails an S3 store without versioning, with SSE-S3 and without a TLS-only policy, naming each", async () => {
    const b = s3();
    const vs = await check("artifact-store-hardening", [b, versioning(b, "Suspended"), sse(b, "AES256")]);
    expect(problems(mandatory(vs))).toEqual([
      'aws:s3/bucket:Bucket::artifacts-bucket (artifact store) is not versioned (status "Suspended")',
      'aws:s3/bucket:Bucket::artifacts-bucket (artifact store) is not SSE-KMS encrypted (sseAlgorithm "AES256")',
      "aws:s3/bucket:Bucket::artifacts-bucket (artifact store) has no bucket policy denying requests without TLS",
    ]);
    const bare = await check("artifact-store-hardening", [b]);
    expect(problems(bare)[0]).toBe("aws:s3/bucket:Bucket::artifacts-bucket (artifact store) is not versioned (no BucketVersioning)");
  });

  it("fails a GCS store that is not uniform, not prevented from public access, or not versioned; unknowns fail closed", async () => {
    const vs = await check("artifact-store-hardening", [gcs({ uniformBucketLevelAccess: false, publicAccessPrevention: "inherited", versioning: { enabled: unknown.boolean } })]);
    expect(problems(mandatory(vs))).toEqual(["gcp:storage/bucket:Bucket::artifacts-bucket (artifact store) lacks uniformBucketLevelAccess, publicAccessPrevention: enforced, versioning.enabled"]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
