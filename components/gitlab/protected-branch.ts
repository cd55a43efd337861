import * as pulumi from "@pulumi/pulumi";
import type { Role } from "./roles.ts";
import { delegatingProvider } from "../dynamic.ts";

export interface GitlabProtectedBranchArgs {
  gitlabUrl: pulumi.Input<string>;
  gitlabToken: pulumi.Input<string>;
  role: pulumi.Input<Role>;
  projectId: pulumi.Input<number>;
  projectPath: pulumi.Input<string>;
  branch: pulumi.Input<string>;
  push: pulumi.Input<"maintainers" | "no_one">;
  merge: pulumi.Input<"maintainers">;
  retainOnDelete: pulumi.Input<boolean>;
}

/** Protection of a role repository's main branch (`pulumi-nodejs:dynamic/gitlab:ProtectedBranch`). */
export class GitlabProtectedBranch extends pulumi.dynamic.Resource {
  declare readonly protected: pulumi.Output<boolean>;
  declare readonly pushAccessLevels: pulumi.Output<number[]>;
  declare readonly mergeAccessLevels: pulumi.Output<number[]>;
  declare readonly allowForcePush: pulumi.Output<boolean>;

  constructor(name: string, args: GitlabProtectedBranchArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/protected-branch-impl.ts"),
      name,
      { ...args, protected: undefined, pushAccessLevels: undefined, mergeAccessLevels: undefined, allowForcePush: undefined },
      { ...opts, additionalSecretOutputs: ["gitlabToken"] },
      "gitlab",
      "ProtectedBranch",
    );
  }
}
