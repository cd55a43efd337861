import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./hub-state-impl.ts";

/**
 * WireGuardHubState: the live hub's public key, read with `wg show <if> public-key` through the
 * transport when the stack config does not pin it. A resource (not an invoke) so that the offline
 * plan on the mock runtime never touches a real system. Logic in `hub-state-impl.ts`.
 */
export const wireGuardHubStateKind = dynamicKind<typeof impl>({
  impl: "./components/wireguard/hub-state-impl.ts",
  module: "wireguard",
  type: "WireGuardHubState",
  outputs: ["publicKey", "observedListenPort", "drift"],
  secretOutputs: ["sshPrivateKey"],
});

export type WireGuardHubStateArgs = ArgsOf<typeof impl.HubStateInputs>;

export class WireGuardHubState extends DynamicResource {
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly observedListenPort: pulumi.Output<number>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: WireGuardHubStateArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(wireGuardHubStateKind, name, args, opts);
  }
}
