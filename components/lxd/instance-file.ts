import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./instance-file-impl.ts";

/**
 * `LxdInstanceFile`: a file inside an LXD instance written through the file API, with an optional
 * command run after each write. The provider only delegates to `instance-file-impl.ts` (house
 * recipe). `content` and `clientKey` are secret outputs.
 */

export const lxdInstanceFileKind = dynamicKind<typeof impl>({
  impl: "./components/lxd/instance-file-impl.ts",
  module: "lxd",
  type: "LxdInstanceFile",
  outputs: ["sha256", "drift"],
  secretOutputs: ["content", "clientKey"],
});

export type LxdInstanceFileArgs = ArgsOf<typeof impl.FileInputs>;

export class LxdInstanceFile extends DynamicResource {
  declare readonly sha256: pulumi.Output<string>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: LxdInstanceFileArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(lxdInstanceFileKind, name, args, opts);
  }
}
