import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./token-retirement-impl.ts";

export type GitlabTokenRetirementArgs = ArgsOf<typeof impl.TokenRetirementInputs>;

/** GitlabTokenRetirement's kind; the logic is in `token-retirement-impl.ts`. */
export const gitlabTokenRetirementKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/token-retirement-impl.ts",
  module: "gitlab",
  type: "TokenRetirement",
  outputs: ["retiredTokenIds", "leftoverTokenIds"],
  secretOutputs: ["gitlabToken"],
});

/**
 * Revokes a role token's predecessors once the new token was delivered
 * (`pulumi-nodejs:dynamic/gitlab:TokenRetirement`): it takes the delivery's outputs as inputs, so
 * the engine runs it only after the delivery succeeded, in the same `up`.
 */
export class GitlabTokenRetirement extends DynamicResource {
  declare readonly retiredTokenIds: pulumi.Output<number[]>;
  declare readonly leftoverTokenIds: pulumi.Output<number[]>;

  constructor(name: string, args: GitlabTokenRetirementArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabTokenRetirementKind, name, args, opts);
  }
}
