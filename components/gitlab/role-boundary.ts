import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./role-boundary-impl.ts";

export type GitlabRoleBoundaryArgs = ArgsOf<typeof impl.RoleBoundaryInputs>;

/** GitlabRoleBoundary's kind; the logic is in `role-boundary-impl.ts`. */
export const gitlabRoleBoundaryKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/role-boundary-impl.ts",
  module: "gitlab",
  type: "RoleBoundary",
  outputs: ["ok", "reason", "isMember", "memberAccessLevel", "productVisibility", "subjectCanReadProduct"],
  secretOutputs: ["gitlabToken", "subjectToken"],
});

/** "The subject role cannot reach the product repository" as a checked resource (`pulumi-nodejs:dynamic/gitlab:RoleBoundary`). */
export class GitlabRoleBoundary extends DynamicResource {
  declare readonly ok: pulumi.Output<boolean>;
  declare readonly reason: pulumi.Output<string>;
  declare readonly isMember: pulumi.Output<boolean>;
  declare readonly memberAccessLevel: pulumi.Output<number>;
  declare readonly productVisibility: pulumi.Output<string>;
  declare readonly subjectCanReadProduct: pulumi.Output<boolean | null>;

  constructor(name: string, args: GitlabRoleBoundaryArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabRoleBoundaryKind, name, args, opts);
  }
}

