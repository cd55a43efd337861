import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { productionEnvironments, ruleConfig } from "../lib/config.ts";
import { describe, hint, show } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { environmentOf } from "../lib/resource.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * RDS instances and clusters are encrypted, private and backed up for at least `minBackupDays`;
 * in production they also have deletion protection and the Pulumi `protect` option.
 * Unknowns: these settings are literals, so an unknown one fails closed.
 */
const config = ruleConfig(
  "rds-hardening",
  z.object({
    minBackupDays: z.number().int().min(1).default(7).describe("minimum backupRetentionPeriod in days"),
    productionEnvironments,
    environment: z.string().optional().describe("the stack's environment, when resources carry no environment tag"),
  }),
);

function check(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  const cfg = config.read(args);
  const name = describe(args);
  const unknownFlag = (key: string) => report(hint(`${name} ${key} is unknown during preview, so it cannot be verified`, `set ${key} to a literal value`));
  const isCluster = args.type === "aws:rds/cluster:Cluster";
  const isMember = args.type === "aws:rds/clusterInstance:ClusterInstance";

  if (!isMember) {
    const enc = props.storageEncrypted;
    if (isUnknown(enc)) unknownFlag("storageEncrypted");
    else if (enc !== true) report(hint(`${name} is not encrypted at rest (storageEncrypted=${show(enc ?? false)})`, "set storageEncrypted: true (optionally kmsKeyId)"));

    const days = props.backupRetentionPeriod;
    if (isUnknown(days)) unknownFlag("backupRetentionPeriod");
    else if (typeof days !== "number" || days < cfg.minBackupDays) {
      report(hint(`${name} keeps backups for ${days ?? "the default (1)"} day(s), below the minimum of ${cfg.minBackupDays}`, `set backupRetentionPeriod to ${cfg.minBackupDays} or more`));
    }
  }
  if (!isCluster) {
    const pub = props.publiclyAccessible;
    if (isUnknown(pub)) unknownFlag("publiclyAccessible");
    else if (pub === true) report(hint(`${name} is publicly accessible`, "set publiclyAccessible: false and reach it from private subnets"));
  }
  const env = environmentOf(args.type, props, cfg.environment);
  if (env !== undefined && cfg.productionEnvironments.includes(env)) {
    if (!isMember) {
      const dp = props.deletionProtection;
      if (isUnknown(dp)) unknownFlag("deletionProtection");
      else if (dp !== true) report(hint(`${name} in ${env} has no deletion protection`, "set deletionProtection: true"));
    }
    if (!args.opts.protect) report(hint(`${name} in ${env} is not protected by Pulumi`, "pass { protect: true } in its resource options"));
  }
}

export const rdsHardening: ResourceValidationPolicy = {
  name: "rds-hardening",
  description: "RDS databases are encrypted, private, backed up, and deletion-protected + protected in production.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod ≥ minBackupDays; production: deletionProtection: true and protect: true.",
  validateResource: onTypes([aws.rds.Instance, aws.rds.Cluster, aws.rds.ClusterInstance], check),
};
