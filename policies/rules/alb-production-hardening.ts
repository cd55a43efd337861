import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { environmentSettings, ruleConfig } from "../lib/config.ts";
import { describe, hint, show, unknownSetting } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { productionEnvironmentOf } from "../lib/resource.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * Application load balancers in production write access logs (`accessLogs.enabled` with a
 * bucket) and have deletion protection (`enableDeletionProtection`). The stack schema asks for
 * both too; the pack enforces them whatever the program does. Network/gateway load balancers are
 * not judged. Unknowns: the flags are literals and fail closed; the bucket is a reference (an
 * unknown bucket is a bucket being created and passes).
 */
const config = ruleConfig("alb-production-hardening", z.object(environmentSettings));

export const albProductionHardening: ResourceValidationPolicy = {
  name: "alb-production-hardening",
  description: "Production application load balancers keep access logs and have deletion protection.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: config.configSchema,
  remediationSteps: "Set accessLogs: { enabled: true, bucket } (a bucket the ELB log-delivery principal may write) and enableDeletionProtection: true.",
  validateResource: onTypes([aws.lb.LoadBalancer, aws.alb.LoadBalancer], (props, args, report) => {
    const env = productionEnvironmentOf(args.type, props, config.read(args));
    if (env === undefined) return;
    const name = describe(args);
    const kind = props.loadBalancerType;
    if (isUnknown(kind)) {
      report(unknownSetting(name, "loadBalancerType"));
      return;
    }
    if (kind !== undefined && kind !== "application") return;
    const enabled = at(props, "accessLogs", "enabled");
    const bucket = at(props, "accessLogs", "bucket");
    if (isUnknown(enabled)) report(unknownSetting(name, "accessLogs.enabled"));
    else if (enabled !== true || bucket === undefined || bucket === "") {
      report(hint(`${name} in ${env} writes no access logs (accessLogs=${show(props.accessLogs ?? "unset")})`, "set accessLogs: { enabled: true, bucket: <log bucket> }"));
    }
    const dp = props.enableDeletionProtection;
    if (isUnknown(dp)) report(unknownSetting(name, "enableDeletionProtection"));
    else if (dp !== true) report(hint(`${name} in ${env} has no deletion protection`, "set enableDeletionProtection: true"));
  }),
};
