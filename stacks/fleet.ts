import { AgentFleet } from "../components/fleet/agent-fleet.ts";
import { agentHosts } from "../components/fleet/hosts.ts";
import type { TagContext } from "../components/tags.ts";
import type { WireGuardHub } from "../components/wireguard/hub.ts";
import type { StackConfig } from "./config/index.ts";

/**
 * The stack's agent fleet, from `labfleet:fleet` (undefined when the section is off): the hub's
 * `agent` peers carrying every tag of `fleet.tags`, reached at their tunnel addresses. Called
 * after every component has added its peers.
 */
export function agentFleet(cfg: StackConfig, tags: TagContext, hub: WireGuardHub | undefined): AgentFleet | undefined {
  const fleet = cfg.fleet;
  if (!fleet.enabled || !hub || !cfg.secrets.fleetSshKey) return undefined;
  const hosts = agentHosts([...hub.peers.values()], fleet.tags);
  return new AgentFleet("fleet", { tags, settings: fleet, hosts, privateKey: cfg.secrets.fleetSshKey });
}
