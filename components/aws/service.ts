import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { canonicalContainerDefinitions } from "./container-definitions.ts";
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
  /** Secrets Manager secret holding the DB credentials (JSON with username/password). */
  dbSecretArn: pulumi.Input<string>;
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

/**
 * Fargate service in the private subnets without public IPs, behind the ALB target group.
 * The execution role may write to this log group and read exactly one secret (the DB's);
 * the task role has no permissions. Deployments roll back on failure (circuit breaker);
 * CPU and memory target tracking scale between min and max.
 */
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
        { Sid: "ReadDbSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: args.dbSecretArn },
      ]),
    },
    s.opts(),
  );
  const taskRole = new aws.iam.Role(
    s.name("task-role"),
    { path: args.rolePath, description: "console application (no AWS permissions)", assumeRolePolicy: serviceTrustPolicy("ecs-tasks.amazonaws.com", account), tags: s.tags() },
    s.opts(),
  );

  const containerDefinitions = pulumi
    .all([args.dbSecretArn, logGroup.name, pulumi.output(args.environment)])
    .apply(([secretArn, group, env]) =>
      canonicalContainerDefinitions([
        {
          name: CONTAINER,
          image: args.image,
          essential: true,
          portMappings: [{ containerPort: args.containerPort, hostPort: args.containerPort, protocol: "tcp" }],
          environment: Object.entries(env).map(([name, value]) => ({ name, value })),
          secrets: [
            { name: "DB_PASSWORD", valueFrom: `${secretArn}:password::` },
            { name: "DB_USERNAME", valueFrom: `${secretArn}:username::` },
          ],
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": group, "awslogs-region": args.region, "awslogs-stream-prefix": CONTAINER },
          },
        },
      ]),
    );

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
