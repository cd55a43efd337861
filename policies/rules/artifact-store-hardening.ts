import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { describe, hint, show } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * The firmware artifact store's bucket (any bucket inside a `labfleet:artifacts:ArtifactStore`) is
 * private, versioned and encrypted. S3: a `BucketVersioning` with status Enabled, a
 * `BucketServerSideEncryptionConfiguration` with `aws:kms`, and a `BucketPolicy` denying requests
 * without TLS (`aws:SecureTransport` false) reference it (public access: s3-public-access-block).
 * GCS: `uniformBucketLevelAccess`, `publicAccessPrevention: enforced`, `versioning.enabled`.
 * A stack rule: on S3 the settings are other resources. Unknown literals fail closed.
 */
const STORE = "labfleet:artifacts:ArtifactStore$";
const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const SSE = ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"];
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";

const inStore = (i: StackItem) => i.r.urn.includes(STORE);

/** Items of `types` whose `bucket` refers to `bucket`. */
function settingsOf(items: StackItem[], types: string[], bucket: StackItem): StackItem[] {
  return items.filter((i) => types.includes(i.r.type) && referenced(i.r, "bucket", [bucket.r.type]).some((b) => b.urn === bucket.r.urn));
}

function deniesPlainHttp(policy: unknown): boolean {
  if (typeof policy !== "string") return false;
  try {
    const doc = JSON.parse(policy) as { Statement?: { Effect?: string; Condition?: { Bool?: Record<string, unknown> } }[] };
    return (doc.Statement ?? []).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
  } catch {
    return false;
  }
}

function checkS3(bucket: StackItem, items: StackItem[], report: ReportViolation) {
  const name = describe(bucket.r);
  const versioning = settingsOf(items, VERSIONING, bucket).map((v) => at(v.props, "versioningConfiguration", "status"));
  if (!versioning.some((s) => s === "Enabled")) {
    report(hint(`${name} (artifact store) is not versioned (${versioning.length === 0 ? "no BucketVersioning" : `status ${show(versioning[0])}`})`, "add aws.s3.BucketVersioning { versioningConfiguration: { status: \"Enabled\" } }"), bucket.r.urn);
  }
  const sse = settingsOf(items, SSE, bucket).flatMap((c) => {
    const rules = c.props.rules;
    return Array.isArray(rules) ? rules.map((r) => at(r, "applyServerSideEncryptionByDefault", "sseAlgorithm")) : [rules];
  });
  if (!sse.some((a) => a === "aws:kms" || a === "aws:kms:dsse")) {
    report(hint(`${name} (artifact store) is not SSE-KMS encrypted (${sse.length === 0 ? "no encryption configuration" : `sseAlgorithm ${show(sse[0])}`})`, 'add aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms"'), bucket.r.urn);
  }
  const policies = settingsOf(items, [POLICY], bucket);
  if (!policies.some((p) => deniesPlainHttp(p.props.policy))) {
    const why = policies.some((p) => isUnknown(p.props.policy)) ? " (policy unknown during preview)" : "";
    report(hint(`${name} (artifact store) has no bucket policy denying requests without TLS${why}`, 'add a Deny statement with Condition { Bool: { "aws:SecureTransport": "false" } }'), bucket.r.urn);
  }
}

function checkGcs(bucket: StackItem, report: ReportViolation) {
  const p = bucket.props;
  const weak = [
    p.uniformBucketLevelAccess === true ? undefined : "uniformBucketLevelAccess",
    p.publicAccessPrevention === "enforced" ? undefined : "publicAccessPrevention: enforced",
    at(p, "versioning", "enabled") === true ? undefined : "versioning.enabled",
  ].filter(Boolean);
  if (weak.length > 0) report(hint(`${describe(bucket.r)} (artifact store) lacks ${weak.join(", ")}`, "set uniformBucketLevelAccess: true, publicAccessPrevention: \"enforced\", versioning: { enabled: true }"), bucket.r.urn);
}

export const artifactStoreHardening: StackValidationPolicy = {
  name: "artifact-store-hardening",
  description: "The firmware artifact store's bucket is private, versioned and encrypted (S3: versioning, SSE-KMS, TLS-only policy; GCS: uniform access, public access prevention, versioning).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "S3: BucketVersioning Enabled, SSE-KMS default encryption, a bucket policy denying aws:SecureTransport=false. GCS: uniformBucketLevelAccess, publicAccessPrevention enforced, versioning enabled.",
  validateStack: (args, report) => {
    const items = stackItems(args.resources);
    for (const bucket of items.filter(inStore)) {
      if (S3_BUCKETS.includes(bucket.r.type)) checkS3(bucket, items, report);
      else if (bucket.r.type === GCS_BUCKET) checkGcs(bucket, report);
    }
  },
};
