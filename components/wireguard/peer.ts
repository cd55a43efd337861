import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./peer-impl.ts";
import { PEER_SECRET_OUTPUTS, type PeerInputs } from "./peer-schema.ts";

/**
 * WireGuardPeer: one peer on a hub, applied live with `wg set` (dynamic provider).
 * The provider only delegates; the logic is in `peer-impl.ts`, loaded at run time through tsx
 * from the project root (the dynamic-provider host is plain CommonJS node; docs/architecture.md).
 */
export const wireGuardPeerKind = dynamicKind<typeof impl>({
  impl: "./components/wireguard/peer-impl.ts",
  module: "wireguard",
  type: "WireGuardPeer",
  outputs: [
    "publicKey",
    "keySource",
    "privateKey",
    "presharedKeyValue",
    "clientConfig",
    "qrCodeSvg",
    "createdAt",
    "activeAddress",
    "previousPublicKey",
    "previousAddress",
    "graceUntil",
    "latestHandshake",
    "hubAllowedIps",
    "present",
    "drift",
  ],
  secretOutputs: PEER_SECRET_OUTPUTS,
});

export type WireGuardPeerArgs = ArgsOf<typeof PeerInputs>;

export class WireGuardPeer extends DynamicResource {
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly privateKey: pulumi.Output<string>;
  declare readonly presharedKeyValue: pulumi.Output<string>;
  declare readonly address: pulumi.Output<string>;
  declare readonly clientConfig: pulumi.Output<string>;
  declare readonly qrCodeSvg: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly activeAddress: pulumi.Output<string>;
  declare readonly previousPublicKey: pulumi.Output<string>;
  declare readonly graceUntil: pulumi.Output<string>;
  declare readonly latestHandshake: pulumi.Output<number>;
  declare readonly hubAllowedIps: pulumi.Output<string[]>;
  declare readonly present: pulumi.Output<boolean>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: WireGuardPeerArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(wireGuardPeerKind, name, args, opts);
  }
}
