import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as gcp from "@pulumi/gcp";
import { describe, hint, unknownSetting } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * Cloud SQL instances can be restored to a point in time: PostgreSQL and SQL Server set
 * `settings.backupConfiguration.pointInTimeRecoveryEnabled`, MySQL `binaryLogEnabled` (its form
 * of point-in-time recovery). Read replicas (`masterInstanceName`, known or a reference) have no backups of
 * their own and are not judged. Unknowns: the flags and `databaseVersion` are literals; unknown fails closed.
 */
export const cloudsqlPitr: ResourceValidationPolicy = {
  name: "cloudsql-pitr",
  description: "Cloud SQL instances have point-in-time recovery enabled.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set settings.backupConfiguration.pointInTimeRecoveryEnabled: true (MySQL: binaryLogEnabled: true) with backups enabled.",
  validateResource: onTypes([gcp.sql.DatabaseInstance], (props, args, report) => {
    const name = describe(args);
    const replicaOf = props.masterInstanceName;
    if (isUnknown(replicaOf) || (typeof replicaOf === "string" && replicaOf !== "")) return;
    const version = props.databaseVersion;
    if (isUnknown(version)) {
      report(unknownSetting(name, "databaseVersion"));
      return;
    }
    const key = typeof version === "string" && version.startsWith("MYSQL") ? "binaryLogEnabled" : "pointInTimeRecoveryEnabled";
    const v = at(props, "settings", "backupConfiguration", key);
    if (isUnknown(v)) report(unknownSetting(name, `settings.backupConfiguration.${key}`));
    else if (v !== true) report(hint(`${name} cannot be restored to a point in time (${key} is ${v === undefined ? "unset" : String(v)})`, `set settings.backupConfiguration.${key}: true`));
  }),
};
