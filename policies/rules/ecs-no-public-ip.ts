import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { describe, hint } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * ECS services run in private subnets without public IPs; the ALB is the only way in.
 * Unknowns: assignPublicIp is a literal; unknown fails closed.
 */
export const ecsNoPublicIp: ResourceValidationPolicy = {
  name: "ecs-no-public-ip",
  description: "ECS services get no public IP addresses; traffic arrives through the load balancer.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set networkConfiguration.assignPublicIp: false and use private subnets with a NAT gateway.",
  validateResource: onTypes([aws.ecs.Service], (props, args, report) => {
    const v = at(props, "networkConfiguration", "assignPublicIp");
    if (isUnknown(v)) report(hint(`${describe(args)} networkConfiguration.assignPublicIp is unknown during preview`, "set assignPublicIp: false"));
    else if (v === true) report(hint(`${describe(args)} assigns public IPs to its tasks`, "set networkConfiguration.assignPublicIp: false and run in private subnets"));
  }),
};
