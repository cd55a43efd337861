import * as pulumi from "@pulumi/pulumi";
import type { TransportSpec } from "./transport.ts";

/**
 * WireGuardHubState: the live hub's public key, read with `wg show <if> public-key` through the
 * transport when the stack config does not pin it. A resource (not an invoke) so that the offline
 * plan on the mock runtime never touches a real system. Logic in `hub-state-impl.ts`.
 */
const provider = {
  async impl() {
    const { createRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
    const root = `${process.cwd()}/package.json`;
    const tsx = createRequire(root)("tsx/cjs/api") as typeof import("tsx/cjs/api");
    return tsx.require("./components/wireguard/hub-state-impl.ts", root) as typeof import("./hub-state-impl.ts");
  },
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic provider interface is untyped
  async check(olds: any, news: any) {
    return (await this.impl()).check(olds, news);
  },
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic provider interface is untyped
  async diff(id: string, olds: any, news: any) {
    return (await this.impl()).diff(id, olds, news);
  },
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic provider interface is untyped
  async create(inputs: any) {
    return (await this.impl()).create(inputs);
  },
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic provider interface is untyped
  async read(id: string, props: any) {
    return (await this.impl()).read(id, props);
  },
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic provider interface is untyped
  async update(id: string, olds: any, news: any) {
    return (await this.impl()).update(id, olds, news);
  },
  async delete() {
    return (await this.impl()).delete();
  },
} satisfies pulumi.dynamic.ResourceProvider & { impl(): Promise<typeof import("./hub-state-impl.ts")> };

export interface WireGuardHubStateArgs {
  interface: pulumi.Input<string>;
  transport: pulumi.Input<TransportSpec>;
  sshPrivateKey?: pulumi.Input<string>;
  listenPort: pulumi.Input<number>;
}

export class WireGuardHubState extends pulumi.dynamic.Resource {
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly observedListenPort: pulumi.Output<number>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: WireGuardHubStateArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(
      provider,
      name,
      { publicKey: undefined, observedListenPort: undefined, drift: undefined, ...args },
      { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), "sshPrivateKey"] },
      "wireguard",
      "WireGuardHubState",
    );
  }
}
