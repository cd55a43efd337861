import { parse as parseYaml } from "yaml";
import type { AgentAccess } from "../../components/fleet/agent.ts";
import type { FleetHost } from "../../components/fleet/hosts.ts";
import { FleetInventory } from "../../components/fleet/inventory.ts";
import type { HubAccess } from "../../components/fleet/status.ts";
import { UsageError } from "../../hardware/errors.ts";
import { issuesToMessage, readTextArg } from "../../hardware/inventory.ts";

/**
 * What every `fleet` command needs: the inventory (`--inventory <file>` or FLEET_INVENTORY), the
 * agents' SSH key (the file named by FLEET_SSH_KEY), the hosts picked by `--host`, and the hub's
 * access for handshake ages (an ssh hub takes its key from FLEET_HUB_SSH_KEY). Every problem is a
 * UsageError naming the flag, variable or inventory key (exit 2).
 */

export interface CommonOptions {
  inventory?: string;
  host?: string[];
}

export interface FleetContext {
  inventory: FleetInventory;
  hosts: FleetHost[];
  access: AgentAccess;
  hub?: HubAccess;
}

export function loadFleetInventory(flag: string | undefined, env: NodeJS.ProcessEnv): FleetInventory {
  const file = flag ?? env.FLEET_INVENTORY;
  if (!file) throw new UsageError("--inventory: required (or set FLEET_INVENTORY)");
  const source = flag ? `inventory ${file}` : `inventory ${file} (FLEET_INVENTORY)`;
  const text = readTextArg(flag ? "--inventory" : "FLEET_INVENTORY", file);
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${source}: not YAML/JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const r = FleetInventory.safeParse(data, { reportInput: true });
  if (!r.success) throw new UsageError(issuesToMessage(source, r.error.issues));
  return r.data;
}

function readKey(variable: string, env: NodeJS.ProcessEnv): string {
  const path = env[variable];
  if (!path) throw new UsageError(`${variable}: required: the path of the SSH private key`);
  const key = readTextArg(variable, path);
  if (!key.includes("PRIVATE KEY")) throw new UsageError(`${variable}: ${path} is not a PEM/OpenSSH private key`);
  return key;
}

/** The inventory's hosts, or the ones named by `--host` (an unknown name is exit 2). */
export function pickHosts(all: readonly FleetHost[], names: readonly string[] | undefined): FleetHost[] {
  if (!names || names.length === 0) return [...all];
  const byName = new Map(all.map((h) => [h.name, h]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length > 0) throw new UsageError(`--host: unknown host ${unknown.map((n) => JSON.stringify(n)).join(", ")} (inventory has: ${all.map((h) => h.name).join(", ")})`);
  return [...new Set(names)].map((n) => byName.get(n)!);
}

export function fleetContext(opts: CommonOptions, env: NodeJS.ProcessEnv = process.env): FleetContext {
  const inventory = loadFleetInventory(opts.inventory, env);
  const hosts = pickHosts(inventory.hosts, opts.host);
  const access: AgentAccess = {
    user: inventory.ssh.user,
    port: inventory.ssh.port,
    privateKey: readKey("FLEET_SSH_KEY", env),
    connectTimeoutSeconds: inventory.ssh.connectTimeoutSeconds,
  };
  const hub = inventory.hub
    ? { interface: inventory.hub.interface, transport: inventory.hub.transport, ...(inventory.hub.transport.kind === "ssh" ? { sshPrivateKey: readKey("FLEET_HUB_SSH_KEY", env) } : {}) }
    : undefined;
  return { inventory, hosts, access, ...(hub ? { hub } : {}) };
}
