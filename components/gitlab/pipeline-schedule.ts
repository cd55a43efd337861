import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./pipeline-schedule-impl.ts";

export type GitlabPipelineScheduleArgs = ArgsOf<typeof impl.PipelineScheduleInputs>;

/** GitlabPipelineSchedule's kind; the logic is in `pipeline-schedule-impl.ts`. */
export const gitlabPipelineScheduleKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/pipeline-schedule-impl.ts",
  module: "gitlab",
  type: "PipelineSchedule",
  outputs: ["scheduleId", "live"],
  secretOutputs: ["gitlabToken"],
});

/** A project's pipeline schedule (`pulumi-nodejs:dynamic/gitlab:PipelineSchedule`). */
export class GitlabPipelineSchedule extends DynamicResource {
  declare readonly scheduleId: pulumi.Output<number>;

  constructor(name: string, args: GitlabPipelineScheduleArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabPipelineScheduleKind, name, args, opts);
  }
}
