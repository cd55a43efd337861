import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { appRoleSql, bootstrapCommand, postgresClientImage } from "../db-app-role.ts";
import { type ContainerDefinition, canonicalContainerDefinitions } from "./container-definitions.ts";
import { policyDocument, serviceTrustPolicy } from "./iam.ts";
import type { ChildScope } from "../component.ts";

export interface ServiceArgs {
  region: string;
  /** `labfleet-<stack>-…`: ECS cluster name and task-definition family. */
  ecsName: string;
  logGroupName: string;
  logRetentionDays: number;
  rolePath: string;
  image: string;
  containerPort: number;
  cpu: number;
  memory: number;
  environment: Record<string, pulumi.Input<string>>;
  /** The database and the logins: the app's IAM-authenticated role, the master secret for the bootstrap. */
  db: {
    host: pulumi.Input<string>;
    port: number;
    name: string;
    engineMajorVersion: string;
    /** The application's login (IAM database authentication, never a password). */
    appUsername: string;
    /** `DbiResourceId` of the instance (IAM database authentication ARNs use it). */
    resourceId: pulumi.Input<string>;
    /** Secrets Manager secret of the RDS-managed master user (JSON with username/password). */
    masterSecretArn: pulumi.Input<string>;
  };
  privateSubnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  /** The listener that attaches the target group (the service must wait for it). */
  listener: pulumi.Resource;
  healthCheckGraceSeconds: number;
  autoscaling: { min: number; max: number; cpuTarget: number; memoryTarget: number };
}

export interface Service {
  cluster: aws.ecs.Cluster;
  service: aws.ecs.Service;
  taskDefinition: aws.ecs.TaskDefinition;
  logGroup: aws.cloudwatch.LogGroup;
  executionRole: aws.iam.Role;
  taskRole: aws.iam.Role;
}

const CONTAINER = "console";
const BOOTSTRAP = "db-bootstrap";

/**
 * Fargate service in the private subnets without public IPs, behind the ALB target group.
 * The execution role may write to this log group and read exactly one secret (the DB master's,
 * for the bootstrap container only); the task role may only connect to the database as the
 * application's login (IAM database authentication). Each task first runs `db-bootstrap`, which
 * logs in as master — with the secret as ECS reads it at that start, so RDS rotating it never
 * breaks anything — and idempotently creates/grants the application role; the application
 * container starts only when that succeeded and never holds a password. Deployments roll back on
 * failure (circuit breaker) and `up` waits for a steady state; CPU and memory target tracking
 * scale between min and max.
 */
/** The task-local volume mounted at /tmp in every container (their root filesystems are read-only). */
const SCRATCH_VOLUME = "scratch";

export function createService(s: ChildScope, args: ServiceArgs): Service {
  const logGroup = new aws.cloudwatch.LogGroup(s.name("logs"), { name: args.logGroupName, retentionInDays: args.logRetentionDays, tags: s.tags() }, s.opts());
  const cluster = new aws.ecs.Cluster(
    s.name("cluster"),
    { name: args.ecsName, settings: [{ name: "containerInsights", value: "enabled" }], tags: s.tags() },
    s.opts(),
  );

  const account = aws.getCallerIdentityOutput({}, s.opts()).accountId;
  const executionRole = new aws.iam.Role(
    s.name("execution-role"),
    { path: args.rolePath, description: "ECS agent: pull the image, write logs, read the DB secret", assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", account), tags: s.tags() },
    s.opts(),
  );
  const executionPolicy = new aws.iam.RolePolicy(
    s.name("execution-policy"),
    {
      role: executionRole.id,
      policy: policyDocument([
        { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*` },
        { Sid: "ReadDbSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: args.db.masterSecretArn },
      ]),
    },
    s.opts(),
  );
  const taskRole = new aws.iam.Role(
    s.name("task-role"),
    { path: args.rolePath, description: "console application: connect to its database as its own login", assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", account), tags: s.tags() },
    s.opts(),
  );
  const partition = aws.getPartitionOutput({}, s.opts()).partition;
  new aws.iam.RolePolicy(
    s.name("task-policy"),
    {
      role: taskRole.id,
      policy: policyDocument([
        {
          Sid: "ConnectAsAppUser",
          Effect: "Allow",
          Action: ["rds-db:connect"],
          Resource: pulumi.interpolate`arn:${partition}:rds-db:${args.region}:${account}:dbuser:${args.db.resourceId}/${args.db.appUsername}`,
        },
      ]),
    },
    s.opts(),
  );

  const containerDefinitions = pulumi
    .all([args.db.masterSecretArn, args.db.host, logGroup.name, pulumi.output(args.environment)])
    .apply(([secretArn, host, group, env]) => {
      const logs = (prefix: string) => ({ logDriver: "awslogs", options: { "awslogs-group": group, "awslogs-region": args.region, "awslogs-stream-prefix": prefix } });
      // Read-only root filesystem, unprivileged; the only writable path is the task's scratch volume.
      const hardened = { readonlyRootFilesystem: true, privileged: false, mountPoints: [{ sourceVolume: SCRATCH_VOLUME, containerPath: "/tmp", readOnly: false }] };
      const dbEnv = { DB_HOST: host, DB_PORT: String(args.db.port), DB_NAME: args.db.name, DB_SSLMODE: "require" };
      const bootstrap: ContainerDefinition = {
        name: BOOTSTRAP,
        image: postgresClientImage("aws", args.db.engineMajorVersion),
        essential: false,
        entryPoint: bootstrapCommand(appRoleSql({ role: args.db.appUsername, database: args.db.name, create: true, memberOf: ["rds_iam"] })),
        environment: Object.entries({ PGHOST: host, PGPORT: String(args.db.port), PGDATABASE: args.db.name, PGSSLMODE: "require", PGCONNECT_TIMEOUT: "10" }).map(([name, value]) => ({ name, value })),
        secrets: [
          { name: "PGPASSWORD", valueFrom: `${secretArn}:password::` },
          { name: "PGUSER", valueFrom: `${secretArn}:username::` },
        ],
        logConfiguration: logs(BOOTSTRAP),
        ...hardened,
      };
      const app: ContainerDefinition = {
        name: CONTAINER,
        image: args.image,
        essential: true,
        portMappings: [{ containerPort: args.containerPort, hostPort: args.containerPort, protocol: "tcp" }],
        environment: Object.entries({ ...env, ...dbEnv, DB_USERNAME: args.db.appUsername, DB_AUTH: "iam" }).map(([name, value]) => ({ name, value })),
        dependsOn: [{ containerName: BOOTSTRAP, condition: "SUCCESS" }],
        logConfiguration: logs(CONTAINER),
        ...hardened,
      };
      return canonicalContainerDefinitions([app, bootstrap]);
    });

  const taskDefinition = new aws.ecs.TaskDefinition(
    s.name("task"),
    {
      family: args.ecsName,
      cpu: String(args.cpu),
      memory: String(args.memory),
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions,
      // Fargate ephemeral storage, per task: the containers' /tmp.
      volumes: [{ name: SCRATCH_VOLUME }],
      tags: s.tags(),
    },
    s.opts({ dependsOn: [executionPolicy] }),
  );

  const service = new aws.ecs.Service(
    s.name("service"),
    {
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: args.autoscaling.min,
      networkConfiguration: { subnets: args.privateSubnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
      loadBalancers: [{ targetGroupArn: args.targetGroupArn, containerName: CONTAINER, containerPort: args.containerPort }],
      healthCheckGracePeriodSeconds: args.healthCheckGraceSeconds,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // `up` succeeds only when the deployment reached a steady state; a deployment the circuit
      // breaker rolled back fails the update instead of going green.
      waitForSteadyState: true,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      enableExecuteCommand: false,
      tags: s.tags(),
    },
    // Autoscaling owns the running count after creation.
    s.opts({ dependsOn: [args.listener], ignoreChanges: ["desiredCount"] }),
  );

  const target = new aws.appautoscaling.Target(
    s.name("scaling"),
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
      minCapacity: args.autoscaling.min,
      maxCapacity: args.autoscaling.max,
      tags: s.tags(),
    },
    s.opts(),
  );
  const tracking = (suffix: string, metric: string, targetValue: number) =>
    new aws.appautoscaling.Policy(
      s.name(suffix),
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: metric },
          targetValue,
          scaleInCooldown: 120,
          scaleOutCooldown: 60,
        },
      },
      s.opts(),
    );
  tracking("scale-cpu", "ECSServiceAverageCPUUtilization", args.autoscaling.cpuTarget);
  tracking("scale-memory", "ECSServiceAverageMemoryUtilization", args.autoscaling.memoryTarget);

  return { cluster, service, taskDefinition, logGroup, executionRole, taskRole };
}
