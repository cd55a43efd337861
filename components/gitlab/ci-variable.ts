import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./ci-variable-impl.ts";

export type GitlabCiVariableArgs = ArgsOf<typeof impl.CiVariableInputs>;

/** GitlabCiVariable's kind; the logic is in `ci-variable-impl.ts`. */
export const gitlabCiVariableKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/ci-variable-impl.ts",
  module: "gitlab",
  type: "CiVariable",
  outputs: ["present", "liveMasked", "liveProtected", "valueMatches"],
  secretOutputs: ["gitlabToken", "value"],
});

/** A project's masked, protected CI/CD variable (`pulumi-nodejs:dynamic/gitlab:CiVariable`). */
export class GitlabCiVariable extends DynamicResource {
  declare readonly present: pulumi.Output<boolean>;
  declare readonly liveMasked: pulumi.Output<boolean>;
  declare readonly liveProtected: pulumi.Output<boolean>;
  declare readonly valueMatches: pulumi.Output<boolean>;

  constructor(name: string, args: GitlabCiVariableArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(gitlabCiVariableKind, name, args, opts);
  }
}
