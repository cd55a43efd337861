import { z } from "zod";
import { hostname } from "../schema.ts";

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
      username: z.string().regex(/^[a-z][a-z0-9_]{0,15}$/).default("console").describe("master user name (its password lives in Secrets Manager, rotated by RDS; used only by the bootstrap container)"),
      appUsername: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/)
        .default("console_app")
        .describe("the application's own login (IAM database authentication, created and granted by the bootstrap container)"),
    })
    .prefault({})
    .describe("RDS PostgreSQL"),
  deletionProtection: z.boolean().default(false).describe("ALB/RDS deletion protection, final DB snapshot and Pulumi protect (required in production)"),
  accessLogs: z.boolean().default(false).describe("ALB access logs to an S3 bucket (required in production)"),
  accessLogRetentionDays: z.number().int().min(1).default(90).describe("days ALB access logs are kept"),
  access: z
    .strictObject({
      enabled: z.boolean().default(true).describe("authenticate every request at the ALB (authenticate-oidc before the forward); only an explicit false opts out, never in production"),
      oidc: z
        .strictObject({
          issuer: z.url({ protocol: /^https$/ }).describe("OIDC issuer URL"),
          authorizationEndpoint: z.url({ protocol: /^https$/ }).describe("authorization endpoint"),
          tokenEndpoint: z.url({ protocol: /^https$/ }).describe("token endpoint"),
          userInfoEndpoint: z.url({ protocol: /^https$/ }).describe("user info endpoint"),
          clientId: z.string().min(1).describe("OAuth client id (its secret is labfleet:awsOidcClientSecret)"),
          scope: z.string().default("openid email").describe("scopes requested"),
          sessionTimeoutSeconds: z.number().int().min(60).max(604800).default(28800).describe("ALB session cookie lifetime"),
        })
        .optional()
        .describe("the identity provider (required when access.enabled)"),
      waf: z.boolean().default(true).describe("WAFv2 web ACL with AWS managed rule groups and a rate limit on the ALB (required in production)"),
      rateLimitPer5Minutes: z.number().int().min(10).max(2000000000).default(1000).describe("requests per client IP per 5 minutes before WAF blocks it"),
    })
    .prefault({})
    .describe("who may reach the console (docs/runbooks/console-aws.md)"),
});

export type AwsConsoleSettings = z.output<typeof AwsConsoleBody>;

/** Cross-key rules of `labfleet:console.aws`. */
export function resolveAws(c: AwsConsoleSettings, ctx: z.RefinementCtx): AwsConsoleSettings {
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
  if (c.access.enabled && !c.access.oidc) {
    ctx.addIssue({ code: "custom", path: ["access", "oidc"], message: "required while access.enabled is true (or opt out explicitly with access.enabled: false, never in production)" });
  }
  if (c.db.appUsername === c.db.username) {
    ctx.addIssue({ code: "custom", path: ["db", "appUsername"], message: "must differ from db.username (the application never logs in as the master user)" });
  }
  if (c.db.maxAllocatedStorage !== undefined && c.db.maxAllocatedStorage < c.db.allocatedStorage) {
    ctx.addIssue({ code: "custom", path: ["db", "maxAllocatedStorage"], message: `must be ≥ db.allocatedStorage (${c.db.allocatedStorage})` });
  }
  return c;
}
