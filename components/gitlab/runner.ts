import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./runner-impl.ts";

export type GitlabRunnerArgs = ArgsOf<typeof impl.RunnerInputs>;

/** GitlabRunner's kind; the logic is in `runner-impl.ts`. */
export const gitlabRunnerKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/runner-impl.ts",
  module: "gitlab",
  type: "Runner",
  outputs: ["runnerId", "token", "tokenExpiresAt"],
  secretOutputs: ["gitlabToken", "token"],
});

/** A project runner for one HUT slot label (`pulumi-nodejs:dynamic/gitlab:Runner`). */
export class GitlabRunner extends DynamicResource {
  declare readonly runnerId: pulumi.Output<number>;
  /** Runner authentication token `glrt-…` for the runner VM (secret). */
  declare readonly token: pulumi.Output<string>;
  declare readonly tokenExpiresAt: pulumi.Output<string | null>;

  constructor(name: string, args: GitlabRunnerArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabRunnerKind, name, args, opts);
  }
}

