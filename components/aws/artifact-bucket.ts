import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ArtifactsSettings } from "../artifacts/settings.ts";
import { readerTrustPolicy, uploaderTrustPolicy } from "../artifacts/trust.ts";
import type { ChildScope } from "../component.ts";
import { policyDocument } from "./iam.ts";

export interface AwsArtifactBucketArgs {
  settings: ArtifactsSettings & { aws: NonNullable<ArtifactsSettings["aws"]> };
  /** The account's GitHub OIDC provider (CiIdentity's). */
  githubOidcProviderArn: pulumi.Input<string>;
  /** IAM role names and path are `<project>-<stack>-artifacts-*` under `/labfleet/<stack>/artifacts/`. */
  project: string;
  stack: string;
  /** The stack's deploy roles (CiIdentity's, per GitHub environment): they read builds to flash slots by commit. */
  deployRoleArns?: Record<string, pulumi.Input<string>>;
}

export interface AwsArtifactBucket {
  bucket: pulumi.Output<string>;
  kmsKeyArn: pulumi.Output<string>;
  uploadRoleArn: pulumi.Output<string>;
  readRoleArn: pulumi.Output<string>;
}

/**
 * The store on S3: a versioned, SSE-KMS encrypted, owner-enforced bucket with every public access
 * blocked, TLS-only, and a lifecycle from config. Two keyless roles: `artifacts-upload` (GitHub
 * OIDC, the upstream lane's upload job: put objects, read manifests) and `artifacts-read` (the
 * GitLab instance's OIDC, the hardware lane's jobs: get objects). No access keys. The stack's
 * deploy roles get the same read (an inline policy on each): `pulumi up` fetches the builds it
 * flashes by commit and copies them to the runner hosts (docs/design/artifacts.md).
 */
export function createAwsArtifactBucket(s: ChildScope, args: AwsArtifactBucketArgs): AwsArtifactBucket {
  const c = args.settings;
  const keyArn = c.aws.kmsKeyArn
    ? pulumi.output(c.aws.kmsKeyArn)
    : new aws.kms.Key(s.name("key"), { description: `labfleet ${args.stack} firmware artifacts`, enableKeyRotation: true, deletionWindowInDays: 30, tags: s.tags() }, s.opts()).arn;
  const bucket = new aws.s3.Bucket(s.name("bucket"), { bucket: c.bucket, tags: s.tags() }, s.opts());
  const block = new aws.s3.BucketPublicAccessBlock(
    s.name("public-access"),
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    s.opts(),
  );
  new aws.s3.BucketOwnershipControls(s.name("ownership"), { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, s.opts());
  new aws.s3.BucketVersioning(s.name("versioning"), { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, s.opts());
  new aws.s3.BucketServerSideEncryptionConfiguration(
    s.name("sse"),
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }] },
    s.opts(),
  );
  new aws.s3.BucketLifecycleConfiguration(
    s.name("lifecycle"),
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-builds",
          status: "Enabled",
          filter: {},
          expiration: { days: c.retentionDays },
          noncurrentVersionExpiration: { noncurrentDays: c.noncurrentRetentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    },
    s.opts(),
  );
  const objects = pulumi.interpolate`${bucket.arn}/*`;
  new aws.s3.BucketPolicy(
    s.name("policy"),
    {
      bucket: bucket.id,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: [bucket.arn, objects],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    },
    s.opts({ dependsOn: [block] }),
  );

  const path = `/labfleet/${args.stack}/artifacts/`;
  const role = (purpose: string, description: string, trust: pulumi.Output<object>, statements: Parameters<typeof policyDocument>[0]) => {
    const r = new aws.iam.Role(
      s.name(purpose),
      {
        name: `${args.project}-${args.stack}-artifacts-${purpose}`.slice(0, 64),
        path,
        description,
        maxSessionDuration: 3600,
        assumeRolePolicy: trust.apply((t) => JSON.stringify(t)),
        tags: s.tags(),
      },
      s.opts(),
    );
    new aws.iam.RolePolicy(s.name(`${purpose}-policy`), { role: r.id, policy: policyDocument(statements) }, s.opts());
    return r;
  };
  const upload = role("upload", `upstream lane upload: ${c.upstream.owner}/${c.upstream.repo} ${c.upstream.ref}`, pulumi.output(args.githubOidcProviderArn).apply((arn) => uploaderTrustPolicy(arn, c.upstream)), [
    { Sid: "PutBuilds", Effect: "Allow", Action: "s3:PutObject", Resource: objects },
    { Sid: "ReadManifests", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${bucket.arn}/*/manifest.json` },
    { Sid: "EncryptBuilds", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn },
  ]);
  const gitlab = new aws.iam.OpenIdConnectProvider(s.name("gitlab-oidc"), { url: c.readers.issuer, clientIdLists: [c.readers.audience], tags: s.tags() }, s.opts());
  const readStatements = [
    { Sid: "GetBuilds", Effect: "Allow" as const, Action: "s3:GetObject", Resource: objects },
    { Sid: "DecryptBuilds", Effect: "Allow" as const, Action: "kms:Decrypt", Resource: keyArn },
  ];
  const read = role("read", `hardware lane read: ${c.readers.projects.join(", ")}`, gitlab.arn.apply((arn) => readerTrustPolicy(arn, c.readers)), readStatements);
  for (const [env, arn] of Object.entries(args.deployRoleArns ?? {})) {
    // the role's name is the ARN's last path segment (IAM ARNs: arn:…:role/<path>/<name>)
    const roleName = pulumi.output(arn).apply((a) => a.slice(a.lastIndexOf("/") + 1));
    new aws.iam.RolePolicy(s.name(`deploy-${env}-read`), { role: roleName, name: "artifacts-read", policy: policyDocument(readStatements) }, s.opts());
  }
  return { bucket: bucket.bucket, kmsKeyArn: keyArn, uploadRoleArn: upload.arn, readRoleArn: read.arn };
}
