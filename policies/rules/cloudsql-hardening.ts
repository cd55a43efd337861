import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as gcp from "@pulumi/gcp";
import { z } from "zod";
import { productionEnvironments, ruleConfig } from "../lib/config.ts";
import { describe, hint, show } from "../lib/message.ts";
import { asArray, at, isUnknown } from "../lib/reveal.ts";
import { environmentOf } from "../lib/resource.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * Cloud SQL instances are private (no public IPv4, a private network, no 0.0.0.0/0 authorized
 * network), require encrypted connections, keep automated backups for at least `minBackupDays`
 * (retained daily backups); in production they also have deletion protection (Pulumi's
 * `deletionProtection` and the API's `settings.deletionProtectionEnabled`) and `protect`.
 * Unknowns: settings are literals, so an unknown one fails closed — except `privateNetwork`,
 * which is the VPC's output: unknown means "set to a network being created", which passes.
 */
const config = ruleConfig(
  "cloudsql-hardening",
  z.object({
    minBackupDays: z.number().int().min(1).default(7).describe("minimum retained daily backups"),
    productionEnvironments,
    environment: z.string().optional().describe("the stack's environment, when resources carry no environment label"),
  }),
);

const ENCRYPTED_MODES = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

function check(props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) {
  const cfg = config.read(args);
  const name = describe(args);
  const unknownFlag = (key: string) => report(hint(`${name} ${key} is unknown during preview, so it cannot be verified`, `set ${key} to a literal value`));
  const ip = at(props, "settings", "ipConfiguration");
  if (isUnknown(ip)) {
    unknownFlag("settings.ipConfiguration");
  } else {
    const v4 = at(ip, "ipv4Enabled");
    if (isUnknown(v4)) unknownFlag("settings.ipConfiguration.ipv4Enabled");
    else if (v4 !== false) report(hint(`${name} has a public IPv4 address (ipv4Enabled=${show(v4 ?? "default true")})`, "set settings.ipConfiguration.ipv4Enabled: false"));
    const net = at(ip, "privateNetwork");
    const psc = at(ip, "pscConfigs");
    if (net === undefined && (psc === undefined || (Array.isArray(psc) && psc.length === 0))) {
      report(hint(`${name} has no private network`, "set settings.ipConfiguration.privateNetwork to the VPC (private services access)"));
    }
    const nets = at(ip, "authorizedNetworks");
    if (!isUnknown(nets)) {
      for (const n of asArray(nets)) {
        const value = at(n, "value");
        if (value === "0.0.0.0/0" || value === "::/0") report(hint(`${name} authorizes ${value}`, "remove the authorized network; connect through the private network"));
      }
    }
    const ssl = at(ip, "sslMode");
    if (isUnknown(ssl)) unknownFlag("settings.ipConfiguration.sslMode");
    else if (typeof ssl !== "string" || !ENCRYPTED_MODES.includes(ssl)) {
      report(hint(`${name} accepts unencrypted connections (sslMode=${show(ssl ?? "default ALLOW_UNENCRYPTED_AND_ENCRYPTED")})`, "set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY"));
    }
  }
  const backup = at(props, "settings", "backupConfiguration");
  const enabled = at(backup, "enabled");
  if (isUnknown(enabled)) unknownFlag("settings.backupConfiguration.enabled");
  else if (enabled !== true) report(hint(`${name} has automated backups off`, "set settings.backupConfiguration.enabled: true"));
  const kept = at(backup, "backupRetentionSettings", "retainedBackups");
  const unit = at(backup, "backupRetentionSettings", "retentionUnit");
  if (isUnknown(kept)) unknownFlag("settings.backupConfiguration.backupRetentionSettings.retainedBackups");
  else {
    const n = typeof kept === "number" ? kept : 7; // the API default
    if (n < cfg.minBackupDays || (unit !== undefined && unit !== "COUNT")) {
      report(hint(`${name} retains ${n} backup(s), below the minimum of ${cfg.minBackupDays} days`, `set settings.backupConfiguration.backupRetentionSettings.retainedBackups to ${cfg.minBackupDays} or more`));
    }
  }
  const env = environmentOf(args.type, props, cfg.environment);
  if (env !== undefined && cfg.productionEnvironments.includes(env)) {
    const dp = props.deletionProtection;
    if (isUnknown(dp)) unknownFlag("deletionProtection");
    else if (dp === false) report(hint(`${name} in ${env} has Pulumi deletionProtection off`, "remove deletionProtection: false"));
    const api = at(props, "settings", "deletionProtectionEnabled");
    if (isUnknown(api)) unknownFlag("settings.deletionProtectionEnabled");
    else if (api !== true) report(hint(`${name} in ${env} has no API deletion protection`, "set settings.deletionProtectionEnabled: true"));
    if (!args.opts.protect) report(hint(`${name} in ${env} is not protected by Pulumi`, "pass { protect: true } in its resource options"));
  }
}

export const cloudsqlHardening: ResourceValidationPolicy = {
  name: "cloudsql-hardening",
  description: "Cloud SQL instances are private, require encrypted connections, are backed up, and deletion-protected + protected in production.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "ipv4Enabled: false + privateNetwork, sslMode: ENCRYPTED_ONLY, backups on with retainedBackups ≥ minBackupDays; production: deletionProtectionEnabled and protect.",
  validateResource: onTypes([gcp.sql.DatabaseInstance], check),
};
