import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GcpConsoleSettings } from "./settings.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { CONSOLE_APIS, withApis } from "./apis.ts";
import { createCloudSql } from "./database.ts";
import { createGcpLoadBalancer } from "./load-balancer.ts";
import { createGcpNetwork } from "./network.ts";
import { createCloudRun, runtimeAccountId } from "./service.ts";

export interface GcpConsoleArgs extends LabComponentArgs {
  settings: GcpConsoleSettings;
  /** CI deploy service accounts (emails) that may deploy revisions as the runtime account. */
  deployers?: pulumi.Input<string>[];
}

/** The stack outputs of the GCP console (the secret's id, never its value). */
export interface GcpConsoleOutputs {
  url: pulumi.Output<string>;
  loadBalancerIp: pulumi.Output<string>;
  sqlConnectionName: pulumi.Output<string>;
  dbPasswordSecretId: pulumi.Output<string>;
}

/**
 * The console on GCP: external HTTPS load balancer → Cloud Run v2 (internal-LB ingress only,
 * dedicated service account) → Cloud SQL PostgreSQL on a private IP, password in Secret Manager.
 * One provider pinned to the configured project/region; hardening comes from `settings` only.
 */
export class GcpConsole extends LabComponent {
  readonly url: pulumi.Output<string>;
  readonly loadBalancerIp: pulumi.Output<string>;
  readonly sqlConnectionName: pulumi.Output<string>;
  readonly dbPasswordSecretId: pulumi.Output<string>;
  /** Secret Output (for wiring only; not exported). */
  readonly dbPassword: pulumi.Output<string>;

  constructor(name: string, args: GcpConsoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gcp", "GcpConsole", name, args, opts);
    const c = args.settings;
    const provider = new gcp.Provider(this.childName("provider"), { project: c.project, region: c.region }, { parent: this });
    const s = withApis(this.scope(provider), c.project, CONSOLE_APIS);

    const net = createGcpNetwork(s, { region: c.region, subnetCidr: c.network.subnetCidr, privateServicePrefixLength: c.network.privateServicePrefixLength });
    const sql = createCloudSql(s, {
      region: c.region,
      networkId: net.network.id,
      peering: net.peering,
      tier: c.db.tier,
      edition: c.db.edition,
      databaseVersion: c.db.databaseVersion,
      diskSizeGb: c.db.diskSizeGb,
      backupRetentionDays: c.db.backupRetentionDays,
      availabilityType: c.db.availabilityType,
      dbName: c.db.name,
      username: c.db.username,
      deletionProtection: c.deletionProtection,
    });
    const run = createCloudRun(s, {
      accountId: runtimeAccountId(name),
      project: c.project,
      region: c.region,
      image: c.image,
      containerPort: c.containerPort,
      cpu: c.cpu,
      memory: c.memory,
      minInstances: c.minInstances,
      maxInstances: c.maxInstances,
      healthCheckPath: c.healthCheckPath,
      environment: {
        ...c.environment,
        DB_HOST: sql.instance.privateIpAddress,
        DB_PORT: "5432",
        DB_NAME: c.db.name,
        DB_USERNAME: c.db.username,
        DB_SSLMODE: "require",
        INSTANCE_CONNECTION_NAME: sql.instance.connectionName,
        DB_SOCKET_DIR: "/cloudsql",
      },
      networkId: net.network.id,
      subnetId: net.subnet.id,
      sqlInstance: sql.instance,
      dbPasswordSecret: sql.secret,
      dbPasswordVersion: sql.secretVersion,
      deletionProtection: c.deletionProtection,
      deployers: args.deployers ?? [],
    });
    const lb = createGcpLoadBalancer(s, { region: c.region, domain: c.domain, cloudRunServiceName: run.service.name });

    this.url = pulumi.output(`https://${c.domain}`);
    this.loadBalancerIp = lb.address.address;
    this.sqlConnectionName = sql.instance.connectionName;
    this.dbPasswordSecretId = sql.secret.secretId;
    this.dbPassword = sql.password;
    this.registerOutputs({ ...this.outputs(), dbPassword: this.dbPassword });
  }

  outputs(): GcpConsoleOutputs {
    return { url: this.url, loadBalancerIp: this.loadBalancerIp, sqlConnectionName: this.sqlConnectionName, dbPasswordSecretId: this.dbPasswordSecretId };
  }
}
