import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as aws from "@pulumi/aws";
import { describe, hint, reportAdvisory, show } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * ECS task definitions: every container has a read-only root filesystem and is not privileged,
 * and the task's execution role (pulls images, reads injected secrets) is not also its task role
 * (what the application code may do).
 * Unknowns: `containerDefinitions` embeds values of other resources (a database endpoint) and the
 * role ARNs are outputs of roles created in the same run, so during a first preview they are
 * usually unknown: the known parts are checked, and what is unknown gets an advisory note and is
 * checked when `pulumi up` re-runs the pack with resolved inputs.
 */
const FIX_CONTAINER = "set readonlyRootFilesystem: true (mount a volume for writable paths) and drop privileged";

function containersOf(defs: unknown): unknown[] | string {
  if (typeof defs !== "string") return Array.isArray(defs) ? defs : "containerDefinitions is not a JSON array";
  try {
    const parsed: unknown = JSON.parse(defs);
    return Array.isArray(parsed) ? parsed : "containerDefinitions is not a JSON array";
  } catch {
    return "containerDefinitions is not valid JSON";
  }
}

export const ecsContainerHardening: ResourceValidationPolicy = {
  name: "ecs-container-hardening",
  description: "ECS containers run with a read-only root filesystem, unprivileged, and the execution role is not the task role.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "In each container definition set readonlyRootFilesystem: true and no privileged: true; give the task a taskRoleArn different from executionRoleArn.",
  validateResource: onTypes([aws.ecs.TaskDefinition], (props, args, report) => {
    const name = describe(args);
    const defs = props.containerDefinitions;
    if (isUnknown(defs)) {
      reportAdvisory(report, `${name} containerDefinitions is unknown during preview; it is checked when \`pulumi up\` resolves it.`);
    } else {
      const containers = containersOf(defs);
      if (typeof containers === "string") report(hint(`${name} ${containers}`, "build containerDefinitions with JSON.stringify of an array"));
      else {
        containers.forEach((c, i) => {
          const label = `${name} container ${show(at(c, "name") ?? `#${i}`)}`;
          if (at(c, "readonlyRootFilesystem") !== true) report(hint(`${label} has a writable root filesystem`, FIX_CONTAINER));
          if (at(c, "privileged") === true) report(hint(`${label} is privileged`, FIX_CONTAINER));
        });
      }
    }
    const exec = props.executionRoleArn;
    const task = props.taskRoleArn;
    if (isUnknown(exec) || isUnknown(task)) {
      if (exec !== undefined && task !== undefined) reportAdvisory(report, `${name} executionRoleArn/taskRoleArn are unknown during preview; that they differ is checked when \`pulumi up\` resolves them.`);
    } else if (typeof exec === "string" && exec === task) {
      report(hint(`${name} uses one role (${show(exec)}) as execution role and task role`, "create a separate task role with only what the application needs"));
    }
  }),
};
