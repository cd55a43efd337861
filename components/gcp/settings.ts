import { z } from "zod";
import { hostname } from "../schema.ts";

/** `labfleet:console.gcp` — the console on Cloud Run + Cloud SQL behind an external HTTPS load balancer. */
export const GcpConsoleBody = z.strictObject({
  project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id").describe("GCP project id of every console resource"),
  region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, "must be a GCP region like europe-west3").describe("GCP region (Cloud Run, Cloud SQL, NEG)"),
  image: z.string().min(1).describe("container image of the console (Artifact Registry or a remote repository)"),
  containerPort: z.number().int().min(1).max(65535).default(8080).describe("port the container listens on"),
  environment: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name"), z.string()).default({}).describe("extra plain (non-secret) environment variables of the container"),
  domain: hostname.describe("domain of the Google-managed certificate (point its A record at the load balancer IP)"),
  healthCheckPath: z.string().startsWith("/").default("/healthz").describe("HTTP path of the Cloud Run startup and liveness probes"),
  minInstances: z.number().int().min(0).max(1000).default(0).describe("Cloud Run minimum instances"),
  maxInstances: z.number().int().min(1).max(1000).default(3).describe("Cloud Run maximum instances"),
  cpu: z.string().regex(/^(1|2|4|8)$/, "must be 1, 2, 4 or 8").default("1").describe("Cloud Run vCPUs per instance"),
  memory: z.string().regex(/^\d+(Mi|Gi)$/, "must be like 512Mi or 2Gi").default("512Mi").describe("Cloud Run memory per instance"),
  network: z
    .strictObject({
      subnetCidr: z.cidrv4().default("10.60.0.0/24").describe("subnet for Cloud Run direct VPC egress"),
      privateServicePrefixLength: z.number().int().min(16).max(24).default(20).describe("size of the range reserved for Cloud SQL private IP (servicenetworking)"),
    })
    .prefault({})
    .describe("VPC for private service access"),
  db: z
    .strictObject({
      tier: z.string().regex(/^db-[a-z0-9-]+$/, "must be a Cloud SQL tier like db-f1-micro").default("db-f1-micro").describe("Cloud SQL machine tier"),
      edition: z.enum(["ENTERPRISE", "ENTERPRISE_PLUS"]).default("ENTERPRISE").describe("Cloud SQL edition (shared-core tiers need ENTERPRISE)"),
      databaseVersion: z.string().regex(/^POSTGRES_\d+$/, "must be like POSTGRES_16").default("POSTGRES_16").describe("PostgreSQL major version"),
      diskSizeGb: z.number().int().min(10).default(10).describe("initial disk size (GB, grows automatically)"),
      backupRetentionDays: z.number().int().min(0).max(365).default(7).describe("automated backups kept (one a day); 0 disables backups (never in production)"),
      availabilityType: z.enum(["ZONAL", "REGIONAL"]).default("ZONAL").describe("REGIONAL = high availability (required in production)"),
      name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default("console").describe("database name"),
      username: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/)
        .default("console")
        .describe("administrative built-in user (password generated, kept in Secret Manager, used only by the bootstrap job; the application logs in as its service account's IAM user)"),
    })
    .prefault({})
    .describe("Cloud SQL PostgreSQL"),
  deletionProtection: z.boolean().default(false).describe("Cloud Run/Cloud SQL deletion protection and Pulumi protect (required in production)"),
  access: z
    .strictObject({
      enabled: z.boolean().default(true).describe("Identity-Aware Proxy on the load balancer's backend (invoker IAM stays on); only an explicit false opts out, never in production"),
      members: z
        .array(z.string().regex(/^(user|group|domain|serviceAccount):\S+$/, "must be an IAM member like group:ops@example.org"))
        .default([])
        .describe("who may pass IAP (roles/iap.httpsResourceAccessor); required when access.enabled"),
      oauth2ClientId: z.string().min(1).optional().describe("own OAuth client for IAP (its secret is labfleet:gcpIapClientSecret); absent = Google-managed client"),
      armor: z.boolean().default(true).describe("Cloud Armor policy (preconfigured WAF rules, per-IP rate limit) on the backend (required in production)"),
      rateLimitPerMinute: z.number().int().min(1).max(1000000).default(600).describe("requests per client IP per minute before Cloud Armor answers 429"),
    })
    .prefault({})
    .describe("who may reach the console (docs/runbooks/console-gcp.md)"),
});

export type GcpConsoleSettings = z.output<typeof GcpConsoleBody>;

const SHARED_CORE_TIERS = ["db-f1-micro", "db-g1-small"];

/** Cross-key rules of `labfleet:console.gcp`. */
export function resolveGcp(c: GcpConsoleSettings, ctx: z.RefinementCtx): GcpConsoleSettings {
  if (c.db.edition === "ENTERPRISE_PLUS" && SHARED_CORE_TIERS.includes(c.db.tier)) {
    ctx.addIssue({ code: "custom", path: ["db", "edition"], message: `shared-core tier ${c.db.tier} needs edition ENTERPRISE` });
  }
  if (c.db.edition === "ENTERPRISE_PLUS" && !c.db.tier.startsWith("db-perf-optimized-")) {
    ctx.addIssue({ code: "custom", path: ["db", "tier"], message: "ENTERPRISE_PLUS needs a db-perf-optimized-* tier" });
  }
  if (c.access.enabled && c.access.members.length === 0) {
    ctx.addIssue({ code: "custom", path: ["access", "members"], message: "name at least one IAM member while access.enabled is true (or opt out explicitly with access.enabled: false, never in production)" });
  }
  if (c.minInstances > c.maxInstances) {
    ctx.addIssue({ code: "custom", path: ["maxInstances"], message: `must be ≥ minInstances (${c.minInstances})` });
  }
  return c;
}
