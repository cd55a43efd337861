import * as pulumi from "@pulumi/pulumi";
import { delegatingProvider } from "../dynamic.ts";
import type { TransportSpec } from "./transport.ts";

/**
 * WireGuardHubState: the live hub's public key, read with `wg show <if> public-key` through the
 * transport when the stack config does not pin it. A resource (not an invoke) so that the offline
 * plan on the mock runtime never touches a real system. Logic in `hub-state-impl.ts`.
 */
const provider = delegatingProvider("./components/wireguard/hub-state-impl.ts");

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
