import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./instance-impl.ts";
import type { InstanceInputs } from "./instance-spec.ts";

/**
 * `LxdInstance`: an LXD container or VM managed over the LXD REST API by a dynamic provider.
 * The provider object only delegates to `instance-impl.ts`, loaded at run time through tsx from
 * the project root (house recipe: the dynamic-provider host is plain CommonJS node).
 */

export const lxdInstanceKind = dynamicKind<typeof impl>({
  impl: "./components/lxd/instance-impl.ts",
  module: "lxd",
  type: "LxdInstance",
  outputs: ["status", "ipv4", "cloudInit", "baseImage", "uuid", "drift"],
  secretOutputs: ["clientKey"],
});

export type LxdInstanceArgs = ArgsOf<typeof InstanceInputs>;

export class LxdInstance extends DynamicResource {
  /** The LXD instance name. */
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly ipv4: pulumi.Output<string | undefined>;
  declare readonly cloudInit: pulumi.Output<"done" | "degraded" | "skipped">;
  declare readonly baseImage: pulumi.Output<string | undefined>;
  /** `volatile.uuid`: a new value means a new instance. */
  declare readonly uuid: pulumi.Output<string | undefined>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: LxdInstanceArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(lxdInstanceKind, name, args, opts);
  }
}
