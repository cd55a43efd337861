import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { policyDocument } from "./iam.ts";

export interface AccessLogBucket {
  bucket: aws.s3.Bucket;
  prefix: string;
  /** Resources the ALB must wait for (ELB checks write access when logging is switched on). */
  ready: aws.s3.BucketPolicy;
}

export interface AccessLogArgs {
  bucketPrefix: string;
  retentionDays: number;
  /** Keep the bucket (and its logs) when the stack is destroyed. */
  retain: boolean;
}

/**
 * Private, SSE-S3 encrypted (the only encryption ALB log delivery supports), owner-enforced
 * bucket with a lifecycle expiry. Only ELB log delivery may write, only under the ALB prefix,
 * and only over TLS. The writer is the log-delivery service principal, not a per-region ELB
 * account (`aws.elb.getServiceAccount` knows only the regions in the provider's table and fails
 * elsewhere, which would stop production from even previewing there).
 */
export function createAccessLogBucket(s: ChildScope, args: AccessLogArgs): AccessLogBucket {
  const prefix = "alb";
  const bucket = new aws.s3.Bucket(
    s.name("alb-logs"),
    { bucketPrefix: args.bucketPrefix, forceDestroy: !args.retain, tags: s.tags() },
    s.opts({ retainOnDelete: args.retain }),
  );
  const block = new aws.s3.BucketPublicAccessBlock(
    s.name("alb-logs-public-access"),
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    s.opts(),
  );
  new aws.s3.BucketOwnershipControls(s.name("alb-logs-ownership"), { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, s.opts());
  new aws.s3.BucketServerSideEncryptionConfiguration(
    s.name("alb-logs-sse"),
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    s.opts(),
  );
  new aws.s3.BucketLifecycleConfiguration(
    s.name("alb-logs-lifecycle"),
    { bucket: bucket.id, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: args.retentionDays } }] },
    s.opts(),
  );
  const account = aws.getCallerIdentityOutput({}, s.opts()).accountId;
  const logObjects = pulumi.interpolate`${bucket.arn}/${prefix}/AWSLogs/${account}/*`;
  const policy = new aws.s3.BucketPolicy(
    s.name("alb-logs-policy"),
    {
      bucket: bucket.id,
      policy: policyDocument([
        {
          Sid: "ElbLogDeliveryService",
          Effect: "Allow",
          Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: logObjects,
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "s3:*",
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    },
    s.opts({ dependsOn: [block] }),
  );
  return { bucket, prefix, ready: policy };
}
