import type { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { describe, hint } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { referenced, type StackItem, stackItems } from "../lib/stack.ts";

/**
 * Every S3 bucket has a public-access block with all four settings on: its own
 * `aws.s3.BucketPublicAccessBlock` (whose `bucket` is the bucket), or an account-wide
 * `aws.s3.AccountPublicAccessBlock` in the stack. A stack rule: the block is another resource.
 * Unknowns: the four flags are literals and fail closed; `bucket` is a reference and the block is
 * matched by its dependency on the bucket.
 */
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;
const FIX = "add aws.s3.BucketPublicAccessBlock { bucket: bucket.id, blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets: true }";

/** The flags of a block that are not literally true (`name (unknown)` when unknown during preview). */
function weakFlags(block: StackItem): string[] {
  return FLAGS.flatMap((f) => {
    const v = block.props[f];
    return isUnknown(v) ? [`${f} (unknown during preview)`] : v === true ? [] : [f];
  });
}

function checkBlock(block: StackItem, what: string, report: ReportViolation): void {
  const weak = weakFlags(block);
  if (weak.length > 0) report(hint(`${describe(block.r)}${what} leaves ${weak.join(", ")} off`, "set all four flags to true"), block.r.urn);
}

export const s3PublicAccessBlock: StackValidationPolicy = {
  name: "s3-public-access-block",
  description: "Every S3 bucket has a public-access block with all four settings on.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Add a BucketPublicAccessBlock per bucket (or an AccountPublicAccessBlock) with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets true.",
  validateStack: (args, report) => {
    const items = stackItems(args.resources);
    const accountBlocks = items.filter((i) => i.r.type === ACCOUNT_BLOCK);
    for (const b of accountBlocks) checkBlock(b, " (account-wide)", report);
    const accountWide = accountBlocks.some((b) => weakFlags(b).length === 0);
    const blocks = items.filter((i) => i.r.type === BLOCK);
    for (const b of blocks) checkBlock(b, "", report);
    const covered = new Set(blocks.flatMap((b) => referenced(b.r, "bucket", BUCKETS).map((r) => r.urn)));
    if (accountWide) return;
    for (const bucket of items.filter((i) => BUCKETS.includes(i.r.type))) {
      if (!covered.has(bucket.r.urn)) report(hint(`${describe(bucket.r)} has no public-access block`, FIX), bucket.r.urn);
    }
  },
};
