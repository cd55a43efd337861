import { z } from "zod";

/** A GitHub environment name usable in role names, pool ids and `sub` claims. */
const environmentName = z.string().regex(/^[a-z][a-z0-9-]{0,14}$/, "must be lower-case letters, digits and dashes (≤15 chars)");

/** `labfleet:ci` — keyless CI identity: GitHub OIDC → AWS roles, Workload Identity Federation → GCP service accounts. */
export const CiBody = z.strictObject({
  github: z.strictObject({
    owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub user or organisation name").describe("GitHub organisation or user that owns the repository"),
    repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository name").describe("repository whose workflows run preview/up"),
    ownerId: z.string().regex(/^\d+$/, "must be the numeric GitHub owner id").optional().describe("numeric owner id (repository_owner_id claim); required for GCP, pins the owner against rename/re-registration"),
    repositoryId: z
      .string()
      .regex(/^\d+$/, "must be the numeric GitHub repository id")
      .optional()
      .describe("numeric repository id (repository_id claim); required for GCP; with ownerId, trust also accepts the immutable subject form repo:owner@<ownerId>/repo@<repositoryId>:…"),
  }),
  previewSecrets: z
    .boolean()
    .default(false)
    .describe("pull-request previews of this stack may decrypt its secrets (state and config) with the secrets key; never in production (docs/runbooks/ci-identity.md)"),
  environments: z.array(environmentName).min(1).default(["staging", "production"]).describe("GitHub environments whose jobs may deploy; one deploy identity each"),
  aws: z
    .strictObject({
      enabled: z.boolean().default(true).describe("create the GitHub OIDC trust and the preview/deploy roles"),
      oidcProviderArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "must be the ARN of the token.actions.githubusercontent.com OIDC provider")
        .optional()
        .describe("reuse the account's existing GitHub OIDC provider (one per account) instead of creating it"),
      stateBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name").optional().describe("S3 bucket of the Pulumi state backend (preview reads, deploy writes)"),
      secretsKmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "must be a KMS key ARN").optional().describe("KMS key of the Pulumi secrets provider (awskms://)"),
      maxSessionSeconds: z.number().int().min(900).max(43200).default(3600).describe("maximum role session length"),
    })
    .prefault({})
    .describe("AWS: IAM OIDC provider and roles"),
  gcp: z
    .strictObject({
      enabled: z.boolean().default(false).describe("create Workload Identity pools/providers and the preview/deploy service accounts"),
      project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id").optional().describe("project that holds the pools and service accounts (required when enabled)"),
      poolPrefix: z.string().regex(/^[a-z][a-z0-9-]{2,15}$/, "must be 3–16 lower-case letters, digits and dashes").default("github").describe("pools are <poolPrefix>-preview and <poolPrefix>-<environment>"),
      stateBucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/, "must be a GCS bucket name").optional().describe("GCS bucket of the Pulumi state backend (preview reads, deploy writes)"),
      secretsKmsKey: z
        .string()
        .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/, "must be projects/…/locations/…/keyRings/…/cryptoKeys/…")
        .optional()
        .describe("Cloud KMS key of the Pulumi secrets provider (gcpkms://)"),
    })
    .prefault({})
    .describe("GCP: Workload Identity Federation and service accounts"),
});
export type CiSettings = z.output<typeof CiBody>;

/** Cross-key rules of `labfleet:ci`. */
export function resolveCi(c: CiSettings, ctx: z.RefinementCtx): CiSettings {
  const seen = new Set<string>();
  c.environments.forEach((env, i) => {
    if (seen.has(env)) ctx.addIssue({ code: "custom", path: ["environments", i], message: `duplicate environment ${JSON.stringify(env)}` });
    if (env === "preview") ctx.addIssue({ code: "custom", path: ["environments", i], message: '"preview" is reserved for the pull-request identity' });
    seen.add(env);
  });
  if (c.gcp.enabled) {
    if (!c.gcp.project) ctx.addIssue({ code: "custom", path: ["gcp", "project"], message: "required when ci.gcp.enabled is true" });
    if (!c.github.ownerId) {
      ctx.addIssue({ code: "custom", path: ["github", "ownerId"], message: "required when ci.gcp.enabled is true (the WIF attribute condition pins the owner id)" });
    }
    if (!c.github.repositoryId) {
      ctx.addIssue({ code: "custom", path: ["github", "repositoryId"], message: "required when ci.gcp.enabled is true (the WIF attribute condition pins the repository id)" });
    }
  }
  if (!c.aws.enabled && !c.gcp.enabled) {
    ctx.addIssue({ code: "custom", path: ["aws", "enabled"], message: "ci is enabled but neither aws nor gcp is: disable the section instead" });
  }
  return c;
}
