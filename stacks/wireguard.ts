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
    persistFile: wg.hub.persistFile,
    sshPrivateKey: wg.hub.transport.kind === "ssh" ? cfg.secrets.wireguardSshKey : undefined,
    peers: wg.peers,
  });
}
