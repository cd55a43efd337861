import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ChildScope } from "../component.ts";
import { POSTGRES_PORT } from "./security-groups.ts";

export interface DatabaseArgs {
  privateSubnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  instanceClass: string;
  allocatedStorage: number;
  maxAllocatedStorage?: number;
  engineMajorVersion: string;
  backupRetentionDays: number;
  multiAz: boolean;
  performanceInsightsRetentionDays: number;
  dbName: string;
  username: string;
  /** `labfleet-<stack>-<component>-db-`: the instance identifier is this plus a random suffix. */
  identifierPrefix: string;
  /** Retention (days) of the log groups the exported PostgreSQL logs go to. */
  logRetentionDays: number;
  /** Deletion protection, a final snapshot on delete, and Pulumi `protect`. */
  deletionProtection: boolean;
}

export interface Database {
  instance: aws.rds.Instance;
  /** The instance identifier (known before the instance exists). */
  identifier: pulumi.Output<string>;
  /** ARN of the RDS-managed master user secret (Secrets Manager). */
  secretArn: pulumi.Output<string>;
}

/** The PostgreSQL logs RDS exports to CloudWatch Logs. */
export const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;

/** Where RDS writes an exported log of `identifier` (a name RDS fixes). */
export function rdsLogGroupName(identifier: string, log: string): string {
  return `/aws/rds/instance/${identifier}/${log}`;
}

/**
 * RDS PostgreSQL in the private subnets: encrypted, never public, master password generated
 * and rotated by RDS in Secrets Manager (Pulumi never sees it), IAM database authentication on
 * (the application's login, see docs/design/cloud.md).
 *
 * - The identifier ends in a random suffix that is renewed whenever a change forces a new
 *   instance (its keepers are the replace-only inputs), so a replacement is created before the
 *   old instance is deleted, and every deleted instance leaves a final snapshot under a name
 *   never used before (`<identifier>-final`).
 * - The exported logs go to log groups declared here, with retention, before the instance
 *   exists (RDS would otherwise create them itself: no retention, untracked, kept after destroy).
 * - `engineVersion` is the major version only: the provider treats a minor version RDS upgraded
 *   to as matching it, so nothing needs ignoring; a changed major version is a real diff and is
 *   applied (`allowMajorVersionUpgrade`).
 */
export function createDatabase(s: ChildScope, args: DatabaseArgs): Database {
  const subnetGroup = new aws.rds.SubnetGroup(s.name("db-subnets"), { subnetIds: args.privateSubnetIds, description: "console database (private subnets)", tags: s.tags() }, s.opts());
  const suffix = new random.RandomId(
    s.name("db-suffix"),
    { byteLength: 4, keepers: { engine: "postgres", dbName: args.dbName, username: args.username, storageEncrypted: "true" } },
    s.opts({ provider: undefined }),
  );
  const identifier = pulumi.interpolate`${args.identifierPrefix}${suffix.hex}`;
  const logGroups = EXPORTED_LOGS.map(
    (log) =>
      new aws.cloudwatch.LogGroup(
        s.name(`db-log-${log}`),
        { name: identifier.apply((id) => rdsLogGroupName(id, log)), retentionInDays: args.logRetentionDays, tags: s.tags() },
        s.opts(),
      ),
  );
  const instance = new aws.rds.Instance(
    s.name("db"),
    {
      identifier,
      engine: "postgres",
      engineVersion: args.engineMajorVersion,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: true,
      instanceClass: args.instanceClass,
      allocatedStorage: args.allocatedStorage,
      maxAllocatedStorage: args.maxAllocatedStorage,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: args.dbName,
      username: args.username,
      manageMasterUserPassword: true,
      iamDatabaseAuthenticationEnabled: true,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [args.securityGroupId],
      publiclyAccessible: false,
      multiAz: args.multiAz,
      backupRetentionPeriod: args.backupRetentionDays,
      backupWindow: "02:00-03:00",
      maintenanceWindow: "sun:03:30-sun:04:30",
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: !args.deletionProtection,
      deletionProtection: args.deletionProtection,
      skipFinalSnapshot: !args.deletionProtection,
      finalSnapshotIdentifier: args.deletionProtection ? pulumi.interpolate`${identifier}-final` : undefined,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays,
      enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
      caCertIdentifier: "rds-ca-rsa2048-g1",
      applyImmediately: false,
      tags: s.tags(),
    },
    s.opts({ protect: args.deletionProtection, dependsOn: logGroups }),
  );
  const secretArn = instance.masterUserSecrets.apply((secrets) => {
    const arn = secrets?.[0]?.secretArn;
    if (!arn) throw new Error(`RDS instance ${s.name("db")}: no master user secret although manageMasterUserPassword is set`);
    return arn;
  });
  return { instance, identifier, secretArn };
}
