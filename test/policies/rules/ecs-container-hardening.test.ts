import { describe, expect, it } from "vitest";
import { advisory, check, mandatory, noDowngrade, problems, res, unknown } from "../helpers.ts";

const hardened = { name: "console", image: "ghcr.io/x/console:1", essential: true, readonlyRootFilesystem: true, privileged: false };
const task = (name: string, containers: unknown, roles: Record<string, unknown> = {}) =>
  res("aws:ecs/taskDefinition:TaskDefinition", name, {
    family: name,
    containerDefinitions: typeof containers === "string" ? containers : JSON.stringify(containers),
    executionRoleArn: "arn:aws:iam::1:role/exec",
    taskRoleArn: "arn:aws:iam::1:role/task",
    ...roles,
  });

describe("ecs-container-hardening", () => {
  it("passes read-only, unprivileged containers with separate execution and task roles (or no task role)", async () => {
    expect(await check("ecs-container-hardening", [task("app", [hardened, { ...hardened, name: "sidecar", privileged: undefined }]), task("no-task-role", [hardened], { taskRoleArn: undefined })])).toEqual([]);
  });

  it("fails writable root filesystems, privileged containers and one role for both jobs", async () => {
    const shared = "arn:aws:iam::1:role/both";
    const vs = await check("ecs-container-hardening", [
      task("app", [{ name: "console", image: "i" }, { ...hardened, name: "debug", privileged: true }, { ...hardened, name: "rw", readonlyRootFilesystem: false }], { executionRoleArn: shared, taskRoleArn: shared }),
      task("broken", "not json"),
    ]);
    expect(problems(mandatory(vs))).toEqual([
      'aws:ecs/taskDefinition:TaskDefinition::app container "console" has a writable root filesystem',
      'aws:ecs/taskDefinition:TaskDefinition::app container "debug" is privileged',
      'aws:ecs/taskDefinition:TaskDefinition::app container "rw" has a writable root filesystem',
      'aws:ecs/taskDefinition:TaskDefinition::app uses one role ("arn:aws:iam::1:role/both") as execution role and task role',
      "aws:ecs/taskDefinition:TaskDefinition::broken containerDefinitions is not valid JSON",
    ]);
  });

  it("unknowns (computed from other resources) are deferred to pulumi up with an advisory note; known parts are checked", async () => {
    const vs = await check("ecs-container-hardening", [
      task("pending", unknown.string, { executionRoleArn: unknown.string, taskRoleArn: unknown.string }),
      task("known-defs", [{ ...hardened, privileged: true }], { taskRoleArn: unknown.string }),
    ]);
    expect(problems(advisory(vs))).toEqual([
      "aws:ecs/taskDefinition:TaskDefinition::pending containerDefinitions is unknown during preview; it is checked when `pulumi up` resolves it.",
      "aws:ecs/taskDefinition:TaskDefinition::pending executionRoleArn/taskRoleArn are unknown during preview; that they differ is checked when `pulumi up` resolves them.",
      "aws:ecs/taskDefinition:TaskDefinition::known-defs executionRoleArn/taskRoleArn are unknown during preview; that they differ is checked when `pulumi up` resolves them.",
    ]);
    expect(problems(mandatory(vs))).toEqual(['aws:ecs/taskDefinition:TaskDefinition::known-defs container "console" is privileged']);
    expect(noDowngrade(vs)).toBe(true);
  });
});
