import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
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
  /** Deletion protection, a final snapshot on delete, and Pulumi `protect`. */
  deletionProtection: boolean;
}

export interface Database {
  instance: aws.rds.Instance;
  /** ARN of the RDS-managed master user secret (Secrets Manager). */
  secretArn: pulumi.Output<string>;
}

/**
 * RDS PostgreSQL in the private subnets: encrypted, never public, master password generated
 * and rotated by RDS in Secrets Manager (Pulumi never sees it). The major version is pinned;
 * minor versions auto-upgrade and `engineVersion` is ignored so Pulumi does not fight them.
 */
export function createDatabase(s: ChildScope, args: DatabaseArgs): Database {
  const subnetGroup = new aws.rds.SubnetGroup(s.name("db-subnets"), { subnetIds: args.privateSubnetIds, description: "console database (private subnets)", tags: s.tags() }, s.opts());
  const instance = new aws.rds.Instance(
    s.name("db"),
    {
      engine: "postgres",
      engineVersion: args.engineMajorVersion,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
      instanceClass: args.instanceClass,
      allocatedStorage: args.allocatedStorage,
      maxAllocatedStorage: args.maxAllocatedStorage,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: args.dbName,
      username: args.username,
      manageMasterUserPassword: true,
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
      finalSnapshotIdentifier: args.deletionProtection ? s.name("db-final") : undefined,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      caCertIdentifier: "rds-ca-rsa2048-g1",
      applyImmediately: false,
      tags: s.tags(),
    },
    s.opts({ protect: args.deletionProtection, ignoreChanges: ["engineVersion"] }),
  );
  const secretArn = instance.masterUserSecrets.apply((secrets) => {
    const arn = secrets?.[0]?.secretArn;
    if (!arn) throw new Error(`RDS instance ${s.name("db")}: no master user secret although manageMasterUserPassword is set`);
    return arn;
  });
  return { instance, secretArn };
}
