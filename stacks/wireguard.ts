import type { StackConfig } from "./config/index.ts";
import type { TagContext } from "../components/tags.ts";
import { RUNNER_WG_INTERFACE } from "../components/lxd/host-files.ts";
import { type PeerDelivery, WireGuardHub } from "../components/wireguard/hub.ts";

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
    rotation: wg.rotation,
    delivery: (peer) => peerDelivery(cfg, peer),
  });
}

/**
 * How a rotated key reaches a peer (docs/design/wireguard.md, "Key rotation"): an `agent` over
 * SSH at its tunnel address with the fleet's access (`labfleet:fleet.ssh`, key
 * `labfleet:fleetSshKey`); a `runner` whose host joins the mesh through LXD (its config file
 * pushed into the instance). Anything else (operators) has none: a grace rotation.
 */
function peerDelivery(cfg: StackConfig, peer: { name: string; kind: string; address: string }): PeerDelivery | undefined {
  if (peer.kind === "agent" && cfg.fleet.enabled && cfg.secrets.fleetSshKey) {
    const { user, port, connectTimeoutSeconds } = cfg.fleet.ssh;
    const { agentInterface, agentConfigDir } = cfg.wireguard.enabled ? cfg.wireguard.rotation : { agentInterface: "wg0", agentConfigDir: "/etc/wireguard" };
    return {
      spec: { kind: "ssh", host: peer.address, user, port, connectTimeoutSeconds, interface: agentInterface, configDir: agentConfigDir },
      key: cfg.secrets.fleetSshKey,
    };
  }
  if (peer.kind === "runner" && cfg.lxd.enabled) {
    const runner = cfg.lxd.runners.find((r) => r.name === peer.name && (r.wireguard ?? r.cloudInit));
    const remote = runner && cfg.lxd.remotes[runner.remote];
    if (!runner || !remote) return undefined;
    return {
      spec: { kind: "lxd", remote, instance: runner.name, interface: RUNNER_WG_INTERFACE, configDir: "/etc/wireguard" },
      key: remote.kind === "https" ? cfg.secrets.lxdClientKey : undefined,
    };
  }
  return undefined;
}
