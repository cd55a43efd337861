import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./runner-impl.ts";

export type CiRunnerArgs = ArgsOf<typeof impl.CiRunnerInputs>;

/** CiRunner's kind; the logic is in `runner-impl.ts`. */
export const ciRunnerKind = dynamicKind<typeof impl>({
  impl: "./components/gitlab/runner-impl.ts",
  module: "gitlab",
  type: "Runner",
  outputs: ["runnerId", "token", "tokenExpiresAt"],
  secretOutputs: ["gitlabToken", "token"],
});

/** A project runner for one HUT slot label (`pulumi-nodejs:dynamic/gitlab:Runner`). */
export class CiRunner extends DynamicResource {
  declare readonly runnerId: pulumi.Output<number>;
  /** Runner authentication token `glrt-…` for the runner host (secret). */
  declare readonly token: pulumi.Output<string>;
  declare readonly tokenExpiresAt: pulumi.Output<string | null>;

  constructor(name: string, args: CiRunnerArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(ciRunnerKind, name, args, opts);
  }
}

