import * as pulumi from "@pulumi/pulumi";
import { delegatingProvider } from "../dynamic.ts";
import type { FileInputsIn } from "./instance-file-impl.ts";

/**
 * `LxdInstanceFile`: a file inside an LXD instance written through the file API, with an optional
 * command run after each write. The provider only delegates to `instance-file-impl.ts` (house
 * recipe). `content` and `clientKey` are secret outputs.
 */

const provider = delegatingProvider("./components/lxd/instance-file-impl.ts");

export type LxdInstanceFileArgs = { [K in keyof FileInputsIn]: pulumi.Input<FileInputsIn[K]> };

export class LxdInstanceFile extends pulumi.dynamic.Resource {
  declare readonly sha256: pulumi.Output<string>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: LxdInstanceFileArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      provider,
      name,
      { ...args, sha256: undefined, drift: undefined },
      { ...opts, additionalSecretOutputs: [...new Set([...(opts.additionalSecretOutputs ?? []), "content", "clientKey"])] },
      "lxd",
      "LxdInstanceFile",
    );
  }
}
