import { z } from "zod";
import { type StoreLocation, StoreUrl } from "../../hardware/schema/artifacts.ts";

const githubName = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organisation name");
const repoName = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository name");
const gitRef = z.string().regex(/^refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/, "must be a full git ref like refs/heads/main");

/** `labfleet:artifacts` — the firmware artifact store (docs/design/artifacts.md). */
export const ArtifactsBody = z.strictObject({
  provider: z.enum(["aws", "gcp"]).describe("where the store lives: an S3 bucket (aws) or a GCS bucket (gcp)"),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be a bucket name (lower-case letters, digits, dashes)").describe("bucket name (globally unique); the store URL is s3://<bucket> or gs://<bucket>"),
  retentionDays: z.number().int().min(1).max(3650).default(180).describe("days a build stays in the store after its upload"),
  noncurrentRetentionDays: z.number().int().min(1).max(3650).default(30).describe("days an overwritten or deleted object version is kept"),
  upstream: z
    .strictObject({
      owner: githubName.describe("owner of the product repository whose upstream lane uploads builds"),
      repo: repoName.describe("the product repository"),
      ownerId: z.string().regex(/^\d+$/, "must be the numeric GitHub owner id").describe("numeric owner id (repository_owner_id claim)"),
      repositoryId: z.string().regex(/^\d+$/, "must be the numeric GitHub repository id").describe("numeric repository id (repository_id claim)"),
      ref: gitRef.default("refs/heads/main").describe("the product repository's ref whose builds may be uploaded"),
      workflow: z
        .string()
        .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+\/\.github\/workflows\/[A-Za-z0-9._-]+\.ya?ml@refs\/(heads|tags)\/[A-Za-z0-9._/-]+$/, "must be <owner>/<repo>/.github/workflows/<file>.yml@<ref>")
        .describe("the reusable upload workflow that may write (job_workflow_ref claim), e.g. example-lab/labfleet/.github/workflows/firmware-upload.yml@refs/heads/main"),
    })
    .describe("the upstream lane: only its upload job may write (GitHub OIDC)"),
  readers: z
    .strictObject({
      issuer: z.url({ protocol: /^https$/ }).describe("GitLab instance URL, the OIDC issuer of its CI id_tokens"),
      audience: z.string().min(1).default("labfleet-artifacts").describe("aud of the id_token the hardware lane's jobs request"),
      projects: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)+$/, "must be a GitLab project path like group/runner"))
        .min(1)
        .describe("GitLab projects whose CI jobs may read (the runner role repository)"),
      refs: z.array(z.string().regex(/^[A-Za-z0-9._/-]+$/, "must be a branch name")).min(1).default(["main"]).describe("branches of those projects whose jobs may read"),
    })
    .describe("the hardware lane: GitLab CI jobs on the runners read with their id_token (keyless)"),
  aws: z
    .strictObject({
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like eu-central-1").describe("region of the bucket"),
      kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "must be a KMS key ARN")
        .optional()
        .describe("existing KMS key for SSE-KMS; absent = a key created for the store (rotation on)"),
    })
    .optional()
    .describe("provider aws: the S3 bucket"),
  gcp: z
    .strictObject({
      project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id").describe("project of the bucket, its pool and service accounts"),
      location: z.string().regex(/^[A-Za-z0-9-]+$/, "must be a GCS location like EUROPE-WEST3 or EU").describe("bucket location"),
      kmsKeyName: z
        .string()
        .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, "must be projects/…/locations/…/keyRings/…/cryptoKeys/…")
        .optional()
        .describe("Cloud KMS key (CMEK); absent = Google-managed encryption"),
      poolPrefix: z.string().regex(/^[a-z][a-z0-9-]{2,15}$/, "must be 3–16 lower-case letters, digits and dashes").default("artifacts").describe("the Workload Identity pool is <poolPrefix>-<random>"),
    })
    .optional()
    .describe("provider gcp: the GCS bucket"),
});
export type ArtifactsSettings = z.output<typeof ArtifactsBody>;

/** Cross-key rules of `labfleet:artifacts`. */
export function resolveArtifacts(c: ArtifactsSettings, ctx: z.RefinementCtx): ArtifactsSettings {
  if (!c[c.provider]) ctx.addIssue({ code: "custom", path: [c.provider], message: `required with provider ${c.provider}` });
  const other = c.provider === "aws" ? "gcp" : "aws";
  if (c[other]) ctx.addIssue({ code: "custom", path: [other], message: `only the ${c.provider} block applies with provider ${c.provider}: remove it` });
  if (c.provider === "aws" && c.bucket.length > 63) ctx.addIssue({ code: "custom", path: ["bucket"], message: "S3 bucket names are at most 63 characters" });
  return c;
}

/** The store's URL, known from config alone (the bucket is named explicitly). */
export function artifactStoreLocation(c: Pick<ArtifactsSettings, "provider" | "bucket">): StoreLocation {
  return StoreUrl.parse(`${c.provider === "aws" ? "s3" : "gs"}://${c.bucket}`);
}
