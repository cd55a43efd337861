import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./protected-branch-impl.ts";

export type GitlabProtectedBranchArgs = ArgsOf<typeof impl.ProtectedBranchInputs>;

/** GitlabProtectedBranch's kind; the logic is in `protected-branch-impl.ts`. */
export const gitlabProtectedBranchKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/protected-branch-impl.ts",
  module: "gitlab",
  type: "ProtectedBranch",
  outputs: ["protected", "pushAccessLevels", "mergeAccessLevels", "allowForcePush"],
  secretOutputs: ["gitlabToken"],
});

/** Protection of a role repository's main branch (`pulumi-nodejs:dynamic/gitlab:ProtectedBranch`). */
export class GitlabProtectedBranch extends DynamicResource {
  declare readonly protected: pulumi.Output<boolean>;
  declare readonly pushAccessLevels: pulumi.Output<number[]>;
  declare readonly mergeAccessLevels: pulumi.Output<number[]>;
  declare readonly allowForcePush: pulumi.Output<boolean>;

  constructor(name: string, args: GitlabProtectedBranchArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabProtectedBranchKind, name, args, opts);
  }
}

