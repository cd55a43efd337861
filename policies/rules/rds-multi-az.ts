import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { z } from "zod";
import { environmentSettings, ruleConfig } from "../lib/config.ts";
import { describe, hint, unknownSetting } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { productionEnvironmentOf } from "../lib/resource.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * RDS instances in production run Multi-AZ (a synchronous standby in another availability zone).
 * The stack schema asks for it too; the pack enforces it whatever the program does. Aurora and
 * Multi-AZ DB clusters spread their members over AZs by construction and are not judged here.
 * Unknowns: multiAz is a literal; unknown fails closed.
 */
const config = ruleConfig("rds-multi-az", z.object(environmentSettings));

export const rdsMultiAz: ResourceValidationPolicy = {
  name: "rds-multi-az",
  description: "Production RDS instances are Multi-AZ.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: config.configSchema,
  remediationSteps: "Set multiAz: true on the production RDS instance.",
  validateResource: onTypes([aws.rds.Instance], (props, args, report) => {
    const env = productionEnvironmentOf(args.type, props, config.read(args));
    if (env === undefined) return;
    const v = props.multiAz;
    if (isUnknown(v)) report(unknownSetting(describe(args), "multiAz"));
    else if (v !== true) report(hint(`${describe(args)} in ${env} is single-AZ`, "set multiAz: true"));
  }),
};
