import { describe, expect, it } from "vitest";
import { check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const ALL = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const bucket = (name: string, type = "aws:s3/bucket:Bucket") => res(type, name, { bucketPrefix: `${name}-` });
const block = (name: string, of: { urn: string }, flags: Record<string, unknown> = ALL) =>
  res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name, { bucket: unknown.string, ...flags }, { dependencies: [of.urn], propertyDependencies: { bucket: [of.urn] } });

describe("s3-public-access-block", () => {
  it("passes buckets each with a full block, or any bucket under an account-wide block", async () => {
    const logs = bucket("logs");
    const legacy = bucket("legacy", "aws:s3/bucketV2:BucketV2");
    expect(await check("s3-public-access-block", [logs, legacy, block("logs-pab", logs), block("legacy-pab", legacy)])).toEqual([]);
    const account = res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", ALL);
    expect(await check("s3-public-access-block", [bucket("other"), account])).toEqual([]);
  });

  it("fails a bucket without a block and a block with a flag off", async () => {
    const logs = bucket("logs");
    const open = bucket("open");
    const weak = block("logs-pab", logs, { ...ALL, restrictPublicBuckets: false, ignorePublicAcls: undefined });
    const vs = await check("s3-public-access-block", [logs, open, weak]);
    expect(vs.map((v) => v.urn)).toEqual([weak.urn, open.urn]);
    expect(problems(vs)).toEqual([
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::logs-pab leaves ignorePublicAcls, restrictPublicBuckets off",
      "aws:s3/bucket:Bucket::open has no public-access block",
    ]);
  });

  it("a weak account-wide block neither passes nor covers", async () => {
    const account = res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "account", { ...ALL, blockPublicPolicy: false });
    const vs = await check("s3-public-access-block", [bucket("other"), account]);
    expect(problems(vs)).toEqual([
      "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock::account (account-wide) leaves blockPublicPolicy off",
      "aws:s3/bucket:Bucket::other has no public-access block",
    ]);
  });

  it("unknown flags fail closed", async () => {
    const logs = bucket("logs");
    const vs = await check("s3-public-access-block", [logs, block("logs-pab", logs, { ...ALL, blockPublicAcls: unknown.boolean })]);
    expect(problems(mandatory(vs))).toEqual(["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::logs-pab leaves blockPublicAcls (unknown during preview) off"]);
    expect(noDowngrade(vs)).toBe(true);
  });
});
