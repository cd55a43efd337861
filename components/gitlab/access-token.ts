import * as pulumi from "@pulumi/pulumi";
import type { Role } from "./roles.ts";
import { delegatingProvider } from "../dynamic.ts";

export interface GitlabProjectAccessTokenArgs {
  gitlabUrl: pulumi.Input<string>;
  gitlabToken: pulumi.Input<string>;
  role: pulumi.Input<Role>;
  projectId: pulumi.Input<number>;
  projectPath: pulumi.Input<string>;
  name: pulumi.Input<string>;
  description: pulumi.Input<string>;
  scopes: pulumi.Input<pulumi.Input<string>[]>;
  accessLevel: pulumi.Input<"guest" | "reporter" | "developer" | "maintainer">;
  lifetimeDays: pulumi.Input<number>;
  rotateBeforeDays: pulumi.Input<number>;
}

/** A role's project access token, rotated near expiry (`pulumi-nodejs:dynamic/gitlab:ProjectAccessToken`). */
export class GitlabProjectAccessToken extends pulumi.dynamic.Resource {
  /** The token itself (secret). */
  declare readonly token: pulumi.Output<string>;
  declare readonly tokenId: pulumi.Output<number>;
  declare readonly expiresAt: pulumi.Output<string>;
  /** The token's bot user. */
  declare readonly userId: pulumi.Output<number>;
  declare readonly botUsername: pulumi.Output<string>;
  declare readonly active: pulumi.Output<boolean>;
  declare readonly revoked: pulumi.Output<boolean>;

  constructor(name: string, args: GitlabProjectAccessTokenArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      delegatingProvider("./components/gitlab/access-token-impl.ts"),
      name,
      { ...args, token: undefined, tokenId: undefined, expiresAt: undefined, userId: undefined, botUsername: undefined, active: undefined, revoked: undefined },
      { ...opts, additionalSecretOutputs: ["gitlabToken", "token"] },
      "gitlab",
      "ProjectAccessToken",
    );
  }
}
