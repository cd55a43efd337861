import * as pulumi from "@pulumi/pulumi";
import type { Role } from "./roles.ts";
import { delegatingProvider } from "../dynamic.ts";

export interface GitlabRoleBoundaryArgs {
  gitlabUrl: pulumi.Input<string>;
  gitlabToken: pulumi.Input<string>;
  productRole: pulumi.Input<Role>;
  productProjectId: pulumi.Input<number>;
  productPath: pulumi.Input<string>;
  subjectRole: pulumi.Input<Role>;
  subjectUserId: pulumi.Input<number>;
  subjectUsername: pulumi.Input<string>;
  /** The subject role's own token (secret), to ask GitLab as that role. */
  subjectToken?: pulumi.Input<string>;
}

/** "The subject role cannot reach the product repository" as a checked resource (`pulumi-nodejs:dynamic/gitlab:RoleBoundary`). */
export class GitlabRoleBoundary extends pulumi.dynamic.Resource {
  declare readonly ok: pulumi.Output<boolean>;
  declare readonly reason: pulumi.Output<string>;
  declare readonly isMember: pulumi.Output<boolean>;
  declare readonly memberAccessLevel: pulumi.Output<number>;
  declare readonly productVisibility: pulumi.Output<string>;
  declare readonly subjectCanReadProduct: pulumi.Output<boolean | null>;

  constructor(name: string, args: GitlabRoleBoundaryArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/role-boundary-impl.ts"),
      name,
      {
        ...args,
        ok: undefined,
        reason: undefined,
        isMember: undefined,
        memberAccessLevel: undefined,
        productVisibility: undefined,
        subjectCanReadProduct: undefined,
      },
      { ...opts, additionalSecretOutputs: ["gitlabToken", "subjectToken"] },
      "gitlab",
      "RoleBoundary",
    );
  }
}
