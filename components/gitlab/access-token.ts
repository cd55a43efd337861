import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./access-token-impl.ts";

export type GitlabProjectAccessTokenArgs = ArgsOf<typeof impl.AccessTokenInputs>;

/** GitlabProjectAccessToken's kind; the logic is in `access-token-impl.ts`. */
export const gitlabProjectAccessTokenKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/access-token-impl.ts",
  module: "gitlab",
  type: "ProjectAccessToken",
  outputs: ["token", "tokenId", "expiresAt", "userId", "botUsername", "active", "revoked"],
  secretOutputs: ["gitlabToken", "token"],
});

/** A role's project access token, rotated near expiry (`pulumi-nodejs:dynamic/gitlab:ProjectAccessToken`). */
export class GitlabProjectAccessToken extends DynamicResource {
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
    super(gitlabProjectAccessTokenKind, name, args, opts);
  }
}

