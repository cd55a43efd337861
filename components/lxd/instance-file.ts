import * as pulumi from "@pulumi/pulumi";
import type { FileInputsIn } from "./instance-file-impl.ts";

/**
 * `LxdInstanceFile`: a file inside an LXD instance written through the file API, with an optional
 * command run after each write. The provider only delegates to `instance-file-impl.ts` (house
 * recipe). `content` and `clientKey` are secret outputs.
 */
type Props = Record<string, unknown>;

const provider = {
  async impl() {
    const { createRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
    const root = `${process.cwd()}/package.json`;
    const tsx = createRequire(root)("tsx/cjs/api") as typeof import("tsx/cjs/api");
    return tsx.require("./components/lxd/instance-file-impl.ts", root) as typeof import("./instance-file-impl.ts");
  },
  async check(olds: Props, news: Props) {
    return (await this.impl()).check(olds, news);
  },
  async diff(id: string, olds: Props, news: Props) {
    return (await this.impl()).diff(id, olds, news);
  },
  async create(inputs: Props) {
    return (await this.impl()).create(inputs);
  },
  async read(id: string, props?: Props) {
    return (await this.impl()).read(id, props);
  },
  async update(id: string, olds: Props, news: Props) {
    return (await this.impl()).update(id, olds, news);
  },
  async delete(id: string, props: Props) {
    return (await this.impl()).delete(id, props);
  },
} satisfies pulumi.dynamic.ResourceProvider & { impl(): Promise<typeof import("./instance-file-impl.ts")> };

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
