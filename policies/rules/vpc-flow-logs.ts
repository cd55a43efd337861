import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, hint } from "../lib/message.ts";
import { referenced } from "../lib/stack.ts";

/**
 * Every AWS VPC in the stack has a flow log (`aws.ec2.FlowLog` whose `vpcId` is the VPC), so
 * network traffic can be investigated after the fact. A stack rule: the flow log is another
 * resource. Unknowns: `vpcId` is a reference; the flow log is matched by its dependency on the
 * VPC, which is known during preview.
 */
const VPC = "aws:ec2/vpc:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";

export const vpcFlowLogs: StackValidationPolicy = {
  name: "vpc-flow-logs",
  description: "Every VPC has a flow log.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Add aws.ec2.FlowLog { vpcId: vpc.id, trafficType: \"ALL\" } delivering to a CloudWatch log group with retention (or S3).",
  validateStack: (args, report) => {
    const logged = new Set(args.resources.filter((r) => r.type === FLOW_LOG).flatMap((r) => referenced(r, "vpcId", [VPC]).map((v) => v.urn)));
    for (const vpc of args.resources.filter((r) => r.type === VPC)) {
      if (!logged.has(vpc.urn)) report(hint(`${describe(vpc)} has no flow log`, "add an aws.ec2.FlowLog with vpcId set to this VPC"), vpc.urn);
    }
  },
};
