import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./group-impl.ts";

export type GitlabGroupArgs = ArgsOf<typeof impl.GroupInputs>;

/** GitlabGroup's kind; the logic is in `group-impl.ts`. */
export const gitlabGroupKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/group-impl.ts",
  module: "gitlab",
  type: "Group",
  outputs: ["groupId", "livePath", "liveVisibility", "webUrl", "createdPaths"],
  secretOutputs: ["gitlabToken"],
});

/** A role namespace (`pulumi-nodejs:dynamic/gitlab:Group`): looked up or created, never emptied. */
export class GitlabGroup extends DynamicResource {
  declare readonly groupId: pulumi.Output<number>;
  declare readonly livePath: pulumi.Output<string>;
  declare readonly liveVisibility: pulumi.Output<string>;
  declare readonly webUrl: pulumi.Output<string>;
  declare readonly createdPaths: pulumi.Output<string[]>;

  constructor(name: string, args: GitlabGroupArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabGroupKind, name, args, opts);
  }
}
