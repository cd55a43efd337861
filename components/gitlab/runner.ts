import * as pulumi from "@pulumi/pulumi";
import { delegatingProvider } from "../dynamic.ts";

export interface GitlabRunnerArgs {
  gitlabUrl: pulumi.Input<string>;
  gitlabToken: pulumi.Input<string>;
  projectId: pulumi.Input<number>;
  projectPath: pulumi.Input<string>;
  /** The HUT slot label; the runner's only tag. */
  label: pulumi.Input<string>;
  description: pulumi.Input<string>;
  tagList: pulumi.Input<pulumi.Input<string>[]>;
  runUntagged: pulumi.Input<boolean>;
  locked: pulumi.Input<boolean>;
  paused: pulumi.Input<boolean>;
  maximumTimeout: pulumi.Input<number>;
  accessLevel: pulumi.Input<"not_protected" | "ref_protected">;
}

/** A project runner for one HUT slot label (`pulumi-nodejs:dynamic/gitlab:Runner`). */
export class GitlabRunner extends pulumi.dynamic.Resource {
  declare readonly runnerId: pulumi.Output<number>;
  /** Runner authentication token `glrt-…` for the runner VM (secret). */
  declare readonly token: pulumi.Output<string>;
  declare readonly tokenExpiresAt: pulumi.Output<string | null>;

  constructor(name: string, args: GitlabRunnerArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/runner-impl.ts"),
      name,
      { ...args, runnerId: undefined, token: undefined, tokenExpiresAt: undefined },
      { ...opts, additionalSecretOutputs: ["gitlabToken", "token"] },
      "gitlab",
      "Runner",
    );
  }
}
