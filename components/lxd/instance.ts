import * as pulumi from "@pulumi/pulumi";
import { delegatingProvider } from "../dynamic.ts";
import type { InstanceInputsIn } from "./instance-spec.ts";

/**
 * `LxdInstance`: an LXD container or VM managed over the LXD REST API by a dynamic provider.
 * The provider object only delegates to `instance-impl.ts`, loaded at run time through tsx from
 * the project root (house recipe: the dynamic-provider host is plain CommonJS node).
 */

const provider = delegatingProvider("./components/lxd/instance-impl.ts");

export type LxdInstanceArgs = { [K in keyof InstanceInputsIn]: pulumi.Input<InstanceInputsIn[K]> };

export class LxdInstance extends pulumi.dynamic.Resource {
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
    super(
      provider,
      name,
      { ...args, status: undefined, ipv4: undefined, cloudInit: undefined, baseImage: undefined, uuid: undefined, drift: undefined },
      { ...opts, additionalSecretOutputs: [...new Set([...(opts.additionalSecretOutputs ?? []), "clientKey"])] },
      "lxd",
      "LxdInstance",
    );
  }
}
