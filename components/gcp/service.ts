import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";

export interface CloudRunArgs {
  /** Runtime service account id (see `runtimeAccountId`). */
  accountId: string;
  project: string;
  region: string;
  image: string;
  containerPort: number;
  cpu: string;
  memory: string;
  minInstances: number;
  maxInstances: number;
  healthCheckPath: string;
  environment: Record<string, pulumi.Input<string>>;
  networkId: pulumi.Input<string>;
  subnetId: pulumi.Input<string>;
  sqlInstance: gcp.sql.DatabaseInstance;
  dbPasswordSecret: gcp.secretmanager.Secret;
  dbPasswordVersion: gcp.secretmanager.SecretVersion;
  deletionProtection: boolean;
  /** Service accounts (CI deployers) allowed to deploy revisions running as the runtime account. */
  deployers: pulumi.Input<string>[];
}

export interface CloudRun {
  serviceAccount: gcp.serviceaccount.Account;
  service: gcp.cloudrunv2.Service;
}

/** Cloud Run service account ids are 6–30 characters. */
export function runtimeAccountId(name: string): string {
  const id = `${name}-run`.replace(/[^a-z0-9-]/g, "-").slice(0, 30).replace(/-+$/, "");
  return id.length >= 6 ? id : `${id}-sa-run`.slice(0, 30);
}

/**
 * Cloud Run v2 service reachable only through the internal path of the external load balancer
 * (`INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER`), running as its own service account that may read
 * exactly one secret and connect to exactly one Cloud SQL instance. Egress to private ranges
 * goes through direct VPC egress (Cloud SQL private IP); the Cloud SQL volume mounts the
 * instance socket at /cloudsql. The LB does not authenticate, so invoker IAM is disabled instead
 * of granting `allUsers` — the ingress setting keeps the service off the public URL.
 */
export function createCloudRun(s: ChildScope, args: CloudRunArgs): CloudRun {
  const serviceAccount = new gcp.serviceaccount.Account(
    s.name("run-sa"),
    { accountId: args.accountId, displayName: "labfleet console (Cloud Run runtime)", project: args.project },
    s.opts(),
  );
  const member = pulumi.interpolate`serviceAccount:${serviceAccount.email}`;
  const secretAccess = new gcp.secretmanager.SecretIamMember(
    s.name("run-secret-access"),
    { secretId: args.dbPasswordSecret.id, role: "roles/secretmanager.secretAccessor", member },
    s.opts(),
  );
  const sqlClient = new gcp.projects.IAMMember(
    s.name("run-sql-client"),
    {
      project: args.project,
      role: "roles/cloudsql.client",
      member,
      condition: {
        title: "console-instance-only",
        description: "connect to the console's Cloud SQL instance only",
        expression: pulumi.interpolate`resource.name == 'projects/${args.project}/instances/${args.sqlInstance.name}' && resource.type == 'sqladmin.googleapis.com/Instance'`,
      },
    },
    s.opts(),
  );
  args.deployers.forEach((deployer, i) => {
    new gcp.serviceaccount.IAMMember(
      s.name(`run-sa-deployer-${i}`),
      { serviceAccountId: serviceAccount.name, role: "roles/iam.serviceAccountUser", member: pulumi.interpolate`serviceAccount:${deployer}` },
      s.opts(),
    );
  });

  const env = pulumi.output(args.environment).apply((e) => Object.entries(e).map(([name, value]) => ({ name, value })));
  const service = new gcp.cloudrunv2.Service(
    s.name("run"),
    {
      project: args.project,
      location: args.region,
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      invokerIamDisabled: true,
      deletionProtection: args.deletionProtection,
      labels: s.labels(),
      template: {
        serviceAccount: serviceAccount.email,
        labels: s.labels(),
        scaling: { minInstanceCount: args.minInstances, maxInstanceCount: args.maxInstances },
        vpcAccess: { networkInterfaces: [{ network: args.networkId, subnetwork: args.subnetId }], egress: "PRIVATE_RANGES_ONLY" },
        volumes: [{ name: "cloudsql", cloudSqlInstance: { instances: [args.sqlInstance.connectionName] } }],
        containers: [
          {
            name: "console",
            image: args.image,
            ports: { containerPort: args.containerPort },
            resources: { limits: { cpu: args.cpu, memory: args.memory }, cpuIdle: true },
            envs: pulumi.all([env, args.dbPasswordSecret.secretId, args.dbPasswordVersion.version]).apply(([plain, secret, version]) => [
              ...plain,
              { name: "DB_PASSWORD", valueSource: { secretKeyRef: { secret, version: version ?? "latest" } } },
            ]),
            volumeMounts: [{ name: "cloudsql", mountPath: "/cloudsql" }],
            startupProbe: { httpGet: { path: args.healthCheckPath, port: args.containerPort }, periodSeconds: 5, failureThreshold: 24, timeoutSeconds: 3 },
            livenessProbe: { httpGet: { path: args.healthCheckPath, port: args.containerPort }, periodSeconds: 30, failureThreshold: 3, timeoutSeconds: 5 },
          },
        ],
      },
    },
    s.opts({ dependsOn: [secretAccess, sqlClient] }),
  );
  return { serviceAccount, service };
}
