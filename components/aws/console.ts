import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsConsoleSettings } from "./settings.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { createAccessLogBucket } from "./access-logs.ts";
import { listenerCertificateArn } from "./certificate.ts";
import { createDatabase } from "./database.ts";
import { createLoadBalancer } from "./load-balancer.ts";
import { albLogBucketPrefix, consoleEcsPrefix, consoleLogGroupPrefix, consoleRolePath } from "./naming.ts";
import { createFlowLog } from "./flow-logs.ts";
import { createNetwork, subnetIds } from "./network.ts";
import { POSTGRES_PORT, createSecurityGroups } from "./security-groups.ts";
import { createService } from "./service.ts";
import { createWaf } from "./waf.ts";

export interface AwsConsoleArgs extends LabComponentArgs {
  settings: AwsConsoleSettings;
  /** The OIDC client secret of `settings.access.oidc` (a secret Output); required while access is on. */
  oidcClientSecret?: pulumi.Input<string>;
}

/** The stack outputs of the AWS console (no secret values: the DB password never leaves AWS). */
export interface AwsConsoleOutputs {
  url: pulumi.Output<string>;
  albDnsName: pulumi.Output<string>;
  dbEndpoint: pulumi.Output<string>;
  dbSecretArn: pulumi.Output<string>;
  logGroup: pulumi.Output<string>;
}

/**
 * The console on AWS: VPC (public/private subnets, NAT per config) → ALB (HTTPS only, TLS 1.3)
 * → ECS Fargate service in private subnets → RDS PostgreSQL (private, encrypted, RDS-managed
 * password). All resources use one regional provider; hardening comes from `settings` only.
 */
export class AwsConsole extends LabComponent {
  readonly url: pulumi.Output<string>;
  readonly albDnsName: pulumi.Output<string>;
  readonly dbEndpoint: pulumi.Output<string>;
  readonly dbSecretArn: pulumi.Output<string>;
  readonly logGroup: pulumi.Output<string>;

  constructor(name: string, args: AwsConsoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aws", "AwsConsole", name, args, opts);
    const c = args.settings;
    const stack = args.tags.stack;
    const provider = new aws.Provider(this.childName("provider"), { region: c.region }, { parent: this });
    const s = this.scope(provider);

    const network = createNetwork(s, { cidr: c.vpcCidr, azCount: c.azCount, natGateways: c.natGateways });
    createFlowLog(s, { vpcId: network.vpc.id, retentionDays: c.logRetentionDays });
    const oidc = c.access.enabled ? c.access.oidc : undefined;
    if (oidc && args.oidcClientSecret === undefined) throw new Error("labfleet:awsOidcClientSecret: required while console.aws.access.enabled is true");
    const sgs = createSecurityGroups(s, network.vpc.id, c.containerPort, oidc !== undefined);
    const accessLogs = c.accessLogs
      ? createAccessLogBucket(s, { bucketPrefix: albLogBucketPrefix(stack), retentionDays: c.accessLogRetentionDays, retain: c.deletionProtection })
      : undefined;
    const lb = createLoadBalancer(s, {
      vpcId: network.vpc.id,
      publicSubnetIds: subnetIds(network.publicSubnets),
      securityGroupId: sgs.alb.id,
      containerPort: c.containerPort,
      healthCheckPath: c.healthCheckPath,
      certificateArn: listenerCertificateArn(s, c),
      sslPolicy: c.sslPolicy,
      deletionProtection: c.deletionProtection,
      accessLogs,
      oidc: oidc && args.oidcClientSecret !== undefined ? { ...oidc, clientSecret: pulumi.secret(args.oidcClientSecret) } : undefined,
      dns: c.domain && c.hostedZoneId ? { domain: c.domain, hostedZoneId: c.hostedZoneId } : undefined,
    });
    if (c.access.waf) createWaf(s, { albArn: lb.alb.arn, rateLimitPer5Minutes: c.access.rateLimitPer5Minutes });
    const db = createDatabase(s, {
      privateSubnetIds: subnetIds(network.privateSubnets),
      securityGroupId: sgs.db.id,
      instanceClass: c.db.instanceClass,
      allocatedStorage: c.db.allocatedStorage,
      maxAllocatedStorage: c.db.maxAllocatedStorage,
      engineMajorVersion: c.db.engineMajorVersion,
      backupRetentionDays: c.db.backupRetentionDays,
      multiAz: c.db.multiAz,
      performanceInsightsRetentionDays: c.db.performanceInsightsRetentionDays,
      dbName: c.db.name,
      username: c.db.username,
      identifierPrefix: `${consoleEcsPrefix(stack)}${name}-db-`,
      logRetentionDays: c.logRetentionDays,
      deletionProtection: c.deletionProtection,
    });
    const svc = createService(s, {
      region: c.region,
      ecsName: `${consoleEcsPrefix(stack)}${name}`,
      logGroupName: `${consoleLogGroupPrefix(stack)}${name}`,
      logRetentionDays: c.logRetentionDays,
      rolePath: consoleRolePath(stack),
      image: c.image,
      containerPort: c.containerPort,
      cpu: c.cpu,
      memory: c.memory,
      environment: {
        ...c.environment,
        PORT: String(c.containerPort),
      },
      db: {
        host: db.instance.address,
        port: POSTGRES_PORT,
        name: c.db.name,
        engineMajorVersion: c.db.engineMajorVersion,
        appUsername: c.db.appUsername,
        resourceId: db.instance.resourceId,
        masterSecretArn: db.secretArn,
      },
      privateSubnetIds: subnetIds(network.privateSubnets),
      securityGroupId: sgs.tasks.id,
      targetGroupArn: lb.targetGroup.arn,
      listener: lb.https,
      healthCheckGraceSeconds: c.healthCheckGraceSeconds,
      autoscaling: c.autoscaling,
    });

    this.url = c.domain ? pulumi.output(`https://${c.domain}`) : pulumi.interpolate`https://${lb.alb.dnsName}`;
    this.albDnsName = lb.alb.dnsName;
    this.dbEndpoint = db.instance.endpoint;
    this.dbSecretArn = db.secretArn;
    this.logGroup = svc.logGroup.name;
    this.registerOutputs(this.outputs());
  }

  outputs(): AwsConsoleOutputs {
    return { url: this.url, albDnsName: this.albDnsName, dbEndpoint: this.dbEndpoint, dbSecretArn: this.dbSecretArn, logGroup: this.logGroup };
  }
}
