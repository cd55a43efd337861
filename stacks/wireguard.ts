import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/index.ts";
import type { TagContext } from "../components/tags.ts";
import { WireGuardHub } from "../components/wireguard/hub.ts";

/** The stack's hub and its config peers, from `labfleet:wireguard` (undefined when the section is off). */
export function wireGuardHub(cfg: StackConfig, tags: TagContext): WireGuardHub | undefined {
  const wg = cfg.wireguard;
  if (!wg.enabled) return undefined;
  return new WireGuardHub("wireguard", {
    tags,
    interface: wg.hub.interface,
    listenPort: wg.hub.listenPort,
    endpoint: wg.hub.endpoint,
    cidr: wg.hub.cidr,
    publicKey: wg.hub.publicKey,
    transport: wg.hub.transport,
    sshPrivateKey: wg.hub.transport.kind === "ssh" ? cfg.secrets.wireguardSshKey : undefined,
    peers: wg.peers,
  });
}

/**
 * Stack outputs of the hub, computed after every component has added its peers: hub public key,
 * endpoint and CIDR, each peer's address/kind/public key, and the client configs and their QR
 * codes (SVG) as secrets.
 */
export function wireGuardOutputs(hub: WireGuardHub | undefined): Record<string, pulumi.Input<unknown>> {
  if (!hub) return {};
  const peers = [...hub.peers.values()];
  return {
    wireguardHub: { publicKey: hub.publicKey, endpoint: hub.endpoint, cidr: hub.cidr, address: hub.address },
    wireguardPeers: Object.fromEntries(peers.map((p) => [p.name, { address: p.address, kind: p.kind, publicKey: p.resource.publicKey }])),
    wireguardClientConfigs: pulumi.secret(Object.fromEntries(peers.map((p) => [p.name, p.resource.clientConfig]))),
    wireguardQrCodes: pulumi.secret(Object.fromEntries(peers.map((p) => [p.name, p.resource.qrCodeSvg]))),
  };
}
