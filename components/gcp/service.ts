import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { type CloudSql, instanceCondition } from "./database.ts";

export interface CloudRunArgs {
  serviceAccount: gcp.serviceaccount.Account;
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
  sql: CloudSql;
  deletionProtection: boolean;
  /**
   * Identity-Aware Proxy authenticates at the load balancer: invoker IAM stays on and only IAP's
   * service agent may invoke. Off (an explicit opt-out) = invoker IAM disabled.
   */
  iap: boolean;
}

export interface CloudRun {
  service: gcp.cloudrunv2.Service;
}

/** Cloud Run service account ids are 6–30 characters. */
export function runtimeAccountId(name: string): string {
  const id = `${name}-run`.replace(/[^a-z0-9-]/g, "-").slice(0, 30).replace(/-+$/, "");
  return id.length >= 6 ? id : `${id}-sa-run`.slice(0, 30);
}

/** The console's runtime service account (also its database login, as a Cloud SQL IAM user). */
export function createRuntimeAccount(s: ChildScope, accountId: string, project: string): gcp.serviceaccount.Account {
  return new gcp.serviceaccount.Account(s.name("run-sa"), { accountId, displayName: "labfleet console (Cloud Run runtime)", project }, s.opts());
}

/** Cloud SQL roles of the runtime account, each limited to the console's instance. */
const RUNTIME_SQL_ROLES = { "run-sql-client": "roles/cloudsql.client", "run-sql-login": "roles/cloudsql.instanceUser" } as const;

/**
 * Cloud Run v2 service reachable only through the internal path of the external load balancer
 * (`INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER`), running as its own service account that may connect
 * to and log in to exactly one Cloud SQL instance (as its IAM user: no password). Egress to
 * private ranges goes through direct VPC egress (Cloud SQL private IP); the Cloud SQL volume
 * mounts the instance socket at /cloudsql. The service starts only after its database login
 * exists and the bootstrap job granted it its rights. With IAP, invoker IAM stays on and IAP's
 * service agent is the only invoker; without it (explicit opt-out) invoker IAM is disabled.
 */
export function createCloudRun(s: ChildScope, args: CloudRunArgs): CloudRun {
  const member = pulumi.interpolate`serviceAccount:${args.serviceAccount.email}`;
  const sqlGrants = Object.entries(RUNTIME_SQL_ROLES).map(
    ([suffix, role]) => new gcp.projects.IAMMember(s.name(suffix), { project: args.project, role, member, condition: instanceCondition(args.project, args.sql.instance) }, s.opts()),
  );

  const env = pulumi.output(args.environment).apply((e) => Object.entries(e).map(([name, value]) => ({ name, value })));
  const service = new gcp.cloudrunv2.Service(
    s.name("run"),
    {
      project: args.project,
      location: args.region,
      ingress: "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
      invokerIamDisabled: !args.iap,
      deletionProtection: args.deletionProtection,
      labels: s.labels(),
      template: {
        serviceAccount: args.serviceAccount.email,
        labels: s.labels(),
        scaling: { minInstanceCount: args.minInstances, maxInstanceCount: args.maxInstances },
        vpcAccess: { networkInterfaces: [{ network: args.networkId, subnetwork: args.subnetId }], egress: "PRIVATE_RANGES_ONLY" },
        volumes: [{ name: "cloudsql", cloudSqlInstance: { instances: [args.sql.instance.connectionName] } }],
        containers: [
          {
            name: "console",
            image: args.image,
            ports: { containerPort: args.containerPort },
            resources: { limits: { cpu: args.cpu, memory: args.memory }, cpuIdle: true },
            envs: env,
            volumeMounts: [{ name: "cloudsql", mountPath: "/cloudsql" }],
            startupProbe: { httpGet: { path: args.healthCheckPath, port: args.containerPort }, periodSeconds: 5, failureThreshold: 24, timeoutSeconds: 3 },
            livenessProbe: { httpGet: { path: args.healthCheckPath, port: args.containerPort }, periodSeconds: 30, failureThreshold: 3, timeoutSeconds: 5 },
          },
        ],
      },
    },
    s.opts({ dependsOn: [...sqlGrants, args.sql.adminUser, args.sql.appUser, args.sql.bootstrap] }),
  );

  if (args.iap) {
    const iapAgent = new gcp.projects.ServiceIdentity(s.name("iap-agent"), { project: args.project, service: "iap.googleapis.com" }, s.opts());
    new gcp.cloudrunv2.ServiceIamMember(
      s.name("run-invoker-iap"),
      { project: args.project, location: args.region, name: service.name, role: "roles/run.invoker", member: pulumi.interpolate`serviceAccount:${iapAgent.email}` },
      s.opts(),
    );
  }
  return { service };
}
