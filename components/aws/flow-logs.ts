import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { policyDocument, serviceTrustPolicy } from "./iam.ts";

export interface FlowLogArgs {
  vpcId: pulumi.Input<string>;
  /** CloudWatch retention of the flow records (the console's `logRetentionDays`). */
  retentionDays: number;
}

/**
 * VPC flow logs (all traffic, 10-minute aggregation) into a CloudWatch log group with retention.
 * The delivery role trusts only `vpc-flow-logs.amazonaws.com` from this account and may write
 * only into that group.
 */
export function createFlowLog(s: ChildScope, args: FlowLogArgs): aws.ec2.FlowLog {
  const group = new aws.cloudwatch.LogGroup(s.name("flow-logs"), { retentionInDays: args.retentionDays, tags: s.tags() }, s.opts());
  const account = aws.getCallerIdentityOutput({}, s.opts()).accountId;
  const role = new aws.iam.Role(
    s.name("flow-logs-role"),
    { description: "VPC flow logs: deliver records to the console's flow-log group", assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account), tags: s.tags() },
    s.opts(),
  );
  const write = new aws.iam.RolePolicy(
    s.name("flow-logs-write"),
    {
      role: role.id,
      policy: policyDocument([
        { Sid: "WriteFlowLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: pulumi.interpolate`${group.arn}:*` },
      ]),
    },
    s.opts(),
  );
  return new aws.ec2.FlowLog(
    s.name("flow-log"),
    {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: s.tags(),
    },
    s.opts({ dependsOn: [write] }),
  );
}
