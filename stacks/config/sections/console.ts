import { z } from "zod";
import { registerSection } from "../section.ts";

/** `labfleet:console.aws` — the console on ECS Fargate + RDS PostgreSQL behind an ALB. */
export const AwsConsoleBody = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region like eu-central-1").describe("AWS region"),
  image: z.string().min(1).describe("container image of the console"),
  containerPort: z.number().int().min(1).max(65535).default(8080).describe("port the container listens on"),
  domain: z.string().optional().describe("console domain; with hostedZoneId an ACM certificate is created and DNS-validated"),
  hostedZoneId: z.string().optional().describe("Route 53 zone for the domain"),
  certificateArn: z.string().startsWith("arn:aws:acm:").optional().describe("existing ACM certificate (instead of domain)"),
  healthCheckPath: z.string().startsWith("/").default("/healthz").describe("target-group health check path"),
  vpcCidr: z.cidrv4().default("10.40.0.0/16").describe("VPC CIDR"),
  azCount: z.number().int().min(2).max(3).default(2).describe("availability zones used"),
  natGateways: z.enum(["single", "perAz"]).default("single").describe("NAT strategy"),
  cpu: z.number().int().default(512).describe("Fargate task CPU units"),
  memory: z.number().int().default(1024).describe("Fargate task memory (MiB)"),
  autoscaling: z
    .strictObject({
      min: z.number().int().min(1).default(1),
      max: z.number().int().min(1).default(3),
      cpuTarget: z.number().min(10).max(95).default(60),
      memoryTarget: z.number().min(10).max(95).default(75),
    })
    .prefault({})
    .describe("ECS service autoscaling"),
  logRetentionDays: z.number().int().positive().default(30).describe("CloudWatch log retention"),
  db: z
    .strictObject({
      instanceClass: z.string().default("db.t4g.micro"),
      allocatedStorage: z.number().int().min(20).default(20),
      engineMajorVersion: z.string().regex(/^\d+$/).default("16"),
      backupRetentionDays: z.number().int().min(0).max(35).default(7),
      multiAz: z.boolean().default(false),
    })
    .prefault({})
    .describe("RDS PostgreSQL"),
  deletionProtection: z.boolean().default(false).describe("ALB/RDS deletion protection (on in production)"),
  accessLogs: z.boolean().default(false).describe("ALB access logs to an S3 bucket"),
});

/** `labfleet:console.gcp` — the console on Cloud Run + Cloud SQL behind an HTTPS load balancer. */
export const GcpConsoleBody = z.strictObject({
  project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id").describe("GCP project id"),
  region: z.string().min(1).describe("GCP region"),
  image: z.string().min(1).describe("container image of the console"),
  domain: z.string().min(1).describe("domain of the managed certificate"),
  minInstances: z.number().int().min(0).default(0),
  maxInstances: z.number().int().min(1).default(3),
  db: z
    .strictObject({
      tier: z.string().default("db-f1-micro"),
      edition: z.enum(["ENTERPRISE", "ENTERPRISE_PLUS"]).default("ENTERPRISE"),
      databaseVersion: z.string().default("POSTGRES_16"),
      backupRetentionDays: z.number().int().min(0).max(365).default(7),
      availabilityType: z.enum(["ZONAL", "REGIONAL"]).default("ZONAL"),
    })
    .prefault({}),
  deletionProtection: z.boolean().default(false),
});

export const ConsoleBody = z.strictObject({
  aws: z.unknown().optional(),
  gcp: z.unknown().optional(),
});

export const AwsConsole = registerSection("console.aws", AwsConsoleBody);
export const GcpConsole = registerSection("console.gcp", GcpConsoleBody);
export const Console = z
  .strictObject({ aws: AwsConsole, gcp: GcpConsole })
  .prefault({})
  .describe("cloud consoles");
export type ConsoleConfig = z.output<typeof Console>;
