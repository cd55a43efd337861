import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GcpConsoleSettings } from "./settings.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { CONSOLE_APIS, type GcpProjectApis, IAP_API, afterApis } from "./apis.ts";
import { createCloudSql, iamUserName } from "./database.ts";
import { createGcpLoadBalancer } from "./load-balancer.ts";
import { createGcpNetwork } from "./network.ts";
import { createCloudRun, createRuntimeAccount, runtimeAccountId } from "./service.ts";

export interface GcpConsoleArgs extends LabComponentArgs {
  settings: GcpConsoleSettings;
  /** The project's API enablement (one home per project, shared with other components). */
  apis: GcpProjectApis;
  /** CI deploy service accounts (emails): may deploy as the runtime and bootstrap accounts, and read the DB secret to refresh. */
  deployers?: pulumi.Input<string>[];
  /** The IAP OAuth client secret (secret Output), with `settings.access.oauth2ClientId`. */
  iapClientSecret?: pulumi.Input<string>;
}

/** The APIs a console with these settings needs in its project. */
export function consoleApis(settings: GcpConsoleSettings): string[] {
  return [...CONSOLE_APIS, ...(settings.access.enabled ? [IAP_API] : [])];
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
    if (args.apis.project !== c.project) throw new Error(`GcpConsole ${name}: apis are for ${args.apis.project}, not ${c.project}`);
    const s = afterApis(this.scope(provider), args.apis.require(consoleApis(c)));

    const net = createGcpNetwork(s, { region: c.region, subnetCidr: c.network.subnetCidr, privateServicePrefixLength: c.network.privateServicePrefixLength });
    const runtime = createRuntimeAccount(s, runtimeAccountId(name), c.project);
    const sql = createCloudSql(s, {
      region: c.region,
      project: c.project,
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
      appAccountEmail: runtime.email,
      deletionProtection: c.deletionProtection,
    });
    const run = createCloudRun(s, {
      serviceAccount: runtime,
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
        DB_USERNAME: runtime.email.apply(iamUserName),
        DB_AUTH: "iam",
        DB_SSLMODE: "require",
        INSTANCE_CONNECTION_NAME: sql.instance.connectionName,
        DB_SOCKET_DIR: "/cloudsql",
      },
      networkId: net.network.id,
      subnetId: net.subnet.id,
      sql,
      deletionProtection: c.deletionProtection,
      iap: c.access.enabled,
    });
    // CI deployers: act as the accounts the console runs as, and read the one secret to refresh it.
    (args.deployers ?? []).forEach((deployer, i) => {
      const member = pulumi.interpolate`serviceAccount:${deployer}`;
      for (const [suffix, account] of [["run-sa", runtime], ["db-bootstrap-sa", sql.bootstrapAccount]] as const) {
        new gcp.serviceaccount.IAMMember(s.name(`${suffix}-deployer-${i}`), { serviceAccountId: account.name, role: "roles/iam.serviceAccountUser", member }, s.opts());
      }
      new gcp.secretmanager.SecretIamMember(s.name(`db-password-deployer-${i}`), { secretId: sql.secret.id, role: "roles/secretmanager.secretAccessor", member }, s.opts());
    });
    if (c.access.enabled && c.access.oauth2ClientId && args.iapClientSecret === undefined) {
      throw new Error("labfleet:gcpIapClientSecret: required with console.gcp.access.oauth2ClientId");
    }
    const lb = createGcpLoadBalancer(s, {
      region: c.region,
      domain: c.domain,
      cloudRunServiceName: run.service.name,
      iap: c.access.enabled
        ? { members: c.access.members, oauth2ClientId: c.access.oauth2ClientId, oauth2ClientSecret: args.iapClientSecret === undefined ? undefined : pulumi.secret(args.iapClientSecret) }
        : undefined,
      armor: c.access.armor ? { rateLimitPerMinute: c.access.rateLimitPerMinute } : undefined,
    });

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
