import * as pulumi from "@pulumi/pulumi";
import { delegatingProvider } from "../dynamic.ts";
import { PEER_SECRET_OUTPUTS } from "./peer-schema.ts";
import type { TransportSpec } from "./transport.ts";

/**
 * WireGuardPeer: one peer on a hub, applied live with `wg set` (dynamic provider).
 * The provider only delegates; the logic is in `peer-impl.ts`, loaded at run time through tsx
 * from the project root (the dynamic-provider host is plain CommonJS node; see CONVENTIONS.md).
 */
const provider = delegatingProvider("./components/wireguard/peer-impl.ts");

export interface WireGuardPeerArgs {
  /** Peer name (config `peers[].name`), used in messages and the client config. */
  name: string;
  interface: pulumi.Input<string>;
  transport: pulumi.Input<TransportSpec>;
  /** Key for the ssh transport (secret). */
  sshPrivateKey?: pulumi.Input<string>;
  hubPublicKey: pulumi.Input<string>;
  hubEndpoint: pulumi.Input<string>;
  cidr: pulumi.Input<string>;
  /** Tunnel address (already allocated by the hub's AddressBook). */
  address: pulumi.Input<string>;
  /** Extra networks routed to this peer (hub side). */
  allowedIps?: pulumi.Input<pulumi.Input<string>[]>;
  /** What the client routes through the tunnel; default the hub CIDR. */
  clientAllowedIps?: pulumi.Input<pulumi.Input<string>[]>;
  dns?: pulumi.Input<pulumi.Input<string>[]>;
  /** Static endpoint of the peer, set on the hub side (rare: site-to-site). */
  endpoint?: pulumi.Input<string>;
  persistentKeepalive?: pulumi.Input<number>;
  presharedKey?: pulumi.Input<boolean>;
  /** Bring-your-own public key (the private key stays with the operator). */
  publicKey?: pulumi.Input<string>;
  /** Change to rotate the key now. */
  rotation?: pulumi.Input<string>;
  /** Rotate when the key is older than this many days (evaluated on every preview/up). */
  rotateAfterDays?: pulumi.Input<number>;
  /** Other peers of the same hub (name → address) for collision checks. */
  reserved?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class WireGuardPeer extends pulumi.dynamic.Resource {
  declare readonly publicKey: pulumi.Output<string>;
  declare readonly privateKey: pulumi.Output<string>;
  declare readonly presharedKeyValue: pulumi.Output<string>;
  declare readonly address: pulumi.Output<string>;
  declare readonly clientConfig: pulumi.Output<string>;
  declare readonly qrCodeSvg: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly hubAllowedIps: pulumi.Output<string[]>;
  declare readonly present: pulumi.Output<boolean>;
  declare readonly drift: pulumi.Output<string[]>;

  constructor(name: string, args: WireGuardPeerArgs, opts: pulumi.CustomResourceOptions = {}) {
    const outputs = {
      publicKey: undefined,
      keySource: undefined,
      privateKey: undefined,
      presharedKeyValue: undefined,
      clientConfig: undefined,
      qrCodeSvg: undefined,
      createdAt: undefined,
      hubAllowedIps: undefined,
      present: undefined,
      drift: undefined,
    };
    super(
      provider,
      name,
      { ...outputs, ...args },
      {
        ...opts,
        additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...PEER_SECRET_OUTPUTS],
      },
      "wireguard",
      "WireGuardPeer",
    );
  }
}
