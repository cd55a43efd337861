import { z } from "zod";
import { registerSection } from "../section.ts";

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Valid Fargate task sizes: CPU units → allowed memory (MiB) as [min, max, step]. */
const FARGATE_SIZES: Record<number, [number, number, number] | number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

export function fargateMemoryAllowed(cpu: number, memory: number): boolean {
  const spec = FARGATE_SIZES[cpu];
  if (!spec) return false;
  if (cpu === 256) return spec.includes(memory);
  const [min, max, step] = spec as [number, number, number];
  return memory >= min && memory <= max && (memory - min) % step === 0;
}

const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name like console.example.org");

/** `labfleet:console.aws` — the console on ECS Fargate + RDS PostgreSQL behind an ALB. */
export const AwsConsoleBody = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like eu-central-1").describe("AWS region of every console resource"),
  image: z.string().min(1).describe("container image of the console (pin a tag or digest)"),
  containerPort: z.number().int().min(1).max(65535).default(8080).describe("port the container listens on"),
  environment: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name"), z.string()).default({}).describe("extra plain (non-secret) environment variables of the container"),
  domain: hostname.optional().describe("console domain; with hostedZoneId an ACM certificate is created, DNS-validated and an alias record points at the ALB"),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id (Z…)").optional().describe("Route 53 zone that holds domain"),
  certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "must be an ACM certificate ARN").optional().describe("existing ACM certificate for the HTTPS listener (instead of domain + hostedZoneId)"),
  sslPolicy: z
    .enum(["ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09"])
    .default("ELBSecurityPolicy-TLS13-1-3-2021-06")
    .describe("HTTPS listener TLS policy (TLS 1.3 only)"),
  healthCheckPath: z.string().startsWith("/").default("/healthz").describe("target-group health check path"),
  healthCheckGraceSeconds: z.number().int().min(0).max(2147483647).default(60).describe("ECS health-check grace period after a task starts"),
  vpcCidr: z.cidrv4().default("10.40.0.0/16").describe("VPC CIDR (/16–/24); subnets are carved from it"),
  azCount: z.number().int().min(2).max(3).default(2).describe("availability zones used (one public and one private subnet each)"),
  natGateways: z.enum(["single", "perAz"]).default("single").describe("NAT strategy: one shared NAT gateway, or one per AZ (production)"),
  cpu: z.number().int().default(512).describe("Fargate task CPU units (256, 512, 1024, …)"),
  memory: z.number().int().default(1024).describe("Fargate task memory (MiB), a valid combination with cpu"),
  autoscaling: z
    .strictObject({
      min: z.number().int().min(1).default(1).describe("minimum running tasks (also the initial desired count)"),
      max: z.number().int().min(1).default(3).describe("maximum running tasks"),
      cpuTarget: z.number().min(10).max(95).default(60).describe("target average CPU utilisation (%)"),
      memoryTarget: z.number().min(10).max(95).default(75).describe("target average memory utilisation (%)"),
    })
    .prefault({})
    .describe("ECS service autoscaling (target tracking)"),
  logRetentionDays: z
    .number()
    .int()
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), `must be one of ${LOG_RETENTION_DAYS.join(", ")}`)
    .default(30)
    .describe("CloudWatch log retention (days)"),
  db: z
    .strictObject({
      instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class like db.t4g.micro").default("db.t4g.micro").describe("RDS instance class"),
      allocatedStorage: z.number().int().min(20).max(65536).default(20).describe("initial storage (GiB)"),
      maxAllocatedStorage: z.number().int().min(20).max(65536).optional().describe("storage autoscaling ceiling (GiB)"),
      engineMajorVersion: z.string().regex(/^\d+$/, "must be a major version like 16").default("16").describe("PostgreSQL major version (minor versions auto-upgrade)"),
      backupRetentionDays: z.number().int().min(0).max(35).default(7).describe("automated backup retention (days); at least governance.minBackupDays in production"),
      multiAz: z.boolean().default(false).describe("Multi-AZ standby (required in production)"),
      performanceInsightsRetentionDays: z.number().int().min(7).default(7).describe("Performance Insights retention (7 is free)"),
      name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default("console").describe("database name"),
      username: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/).default("console").describe("master user name (its password lives in Secrets Manager)"),
    })
    .prefault({})
    .describe("RDS PostgreSQL"),
  deletionProtection: z.boolean().default(false).describe("ALB/RDS deletion protection, final DB snapshot and Pulumi protect (required in production)"),
  accessLogs: z.boolean().default(false).describe("ALB access logs to an S3 bucket (required in production)"),
  accessLogRetentionDays: z.number().int().min(1).default(90).describe("days ALB access logs are kept"),
});

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
      username: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/).default("console").describe("database user (its password is generated and kept in Secret Manager)"),
    })
    .prefault({})
    .describe("Cloud SQL PostgreSQL"),
  deletionProtection: z.boolean().default(false).describe("Cloud Run/Cloud SQL deletion protection and Pulumi protect (required in production)"),
});

export type AwsConsoleSettings = z.output<typeof AwsConsoleBody>;
export type GcpConsoleSettings = z.output<typeof GcpConsoleBody>;

const SHARED_CORE_TIERS = ["db-f1-micro", "db-g1-small"];

function resolveAws(c: AwsConsoleSettings, ctx: z.RefinementCtx): AwsConsoleSettings {
  if (!c.certificateArn) {
    if (c.domain && !c.hostedZoneId) {
      ctx.addIssue({ code: "custom", path: ["hostedZoneId"], message: "required with domain to create and DNS-validate the certificate (or set certificateArn)" });
    } else if (!c.domain) {
      ctx.addIssue({ code: "custom", path: ["certificateArn"], message: "the HTTPS listener needs a certificate: set certificateArn, or domain and hostedZoneId" });
    }
  }
  if (!fargateMemoryAllowed(c.cpu, c.memory)) {
    ctx.addIssue({ code: "custom", path: ["memory"], message: `${c.memory} MiB is not a valid Fargate memory size for cpu ${c.cpu}` });
  }
  if (c.autoscaling.min > c.autoscaling.max) {
    ctx.addIssue({ code: "custom", path: ["autoscaling", "max"], message: `must be ≥ autoscaling.min (${c.autoscaling.min})` });
  }
  const prefix = Number(c.vpcCidr.split("/")[1]);
  if (prefix < 16 || prefix > 24) {
    ctx.addIssue({ code: "custom", path: ["vpcCidr"], message: "must be a /16 to /24 network" });
  }
  if (c.db.maxAllocatedStorage !== undefined && c.db.maxAllocatedStorage < c.db.allocatedStorage) {
    ctx.addIssue({ code: "custom", path: ["db", "maxAllocatedStorage"], message: `must be ≥ db.allocatedStorage (${c.db.allocatedStorage})` });
  }
  return c;
}

function resolveGcp(c: GcpConsoleSettings, ctx: z.RefinementCtx): GcpConsoleSettings {
  if (c.db.edition === "ENTERPRISE_PLUS" && SHARED_CORE_TIERS.includes(c.db.tier)) {
    ctx.addIssue({ code: "custom", path: ["db", "edition"], message: `shared-core tier ${c.db.tier} needs edition ENTERPRISE` });
  }
  if (c.db.edition === "ENTERPRISE_PLUS" && !c.db.tier.startsWith("db-perf-optimized-")) {
    ctx.addIssue({ code: "custom", path: ["db", "tier"], message: "ENTERPRISE_PLUS needs a db-perf-optimized-* tier" });
  }
  if (c.minInstances > c.maxInstances) {
    ctx.addIssue({ code: "custom", path: ["maxInstances"], message: `must be ≥ minInstances (${c.minInstances})` });
  }
  return c;
}

export const AwsConsole = registerSection("console.aws", AwsConsoleBody, resolveAws);
export const GcpConsole = registerSection("console.gcp", GcpConsoleBody, resolveGcp);
export const Console = z
  .strictObject({ aws: AwsConsole, gcp: GcpConsole })
  .prefault({})
  .describe("cloud consoles (each off unless configured)");
export type ConsoleConfig = z.output<typeof Console>;
