/**
 * The `local` stack file of the simulated lab: the committed Pulumi.local.yaml plus the overlay
 * that points it at the simulation (labfleet:simulated, the generated firmware, the Home
 * Assistant stand-in, a power-cycle nonce, the hub's network namespace). The HA token is not in
 * here: it is the secret labfleet:haToken, set with `pulumi config set --secret`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { parseStackConfig, type StackConfigData } from "../../stacks/config/index.ts";
import { SECRET_KEY_NAMES } from "../../stacks/config/secrets.ts";
import { ROOT } from "../engine/pulumi.ts";
import { engineConfigFromDocument } from "../plan/stack-file.ts";
import type { SimSpec, SimState } from "./sim.ts";

export const STACK = "local";
export const DEFAULT_NETNS = "labfleet-lab";
/** Changing it power-cycles every slot on the next `lab up`. */
export const POWER_CYCLE_NONCE = "lab-sim-1";

interface StackDoc {
  config?: Record<string, unknown>;
  [k: string]: unknown;
}

export function committedStackText(stack = STACK): string {
  return readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
}

/** The stack's config, validated by the project's schema (throws ConfigError naming the keys). */
export function stackConfig(text: string, opts: { secrets?: string[] } = {}): StackConfigData {
  const engine = engineConfigFromDocument(parseYaml(text), "labfleet", `Pulumi.${STACK}.yaml`);
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(engine.config)) {
    if (!k.startsWith("labfleet:")) continue;
    values[k.slice("labfleet:".length)] = v;
  }
  for (const k of engine.secretKeys) secretKeys.add(k.slice("labfleet:".length));
  // secrets set outside the file (pulumi config set --secret) count as present
  for (const s of opts.secrets ?? []) values[s] ??= "secret";
  return parseStackConfig({ values, secretKeys }, STACK);
}

/** What the simulation needs from the committed stack: slots, hub, and the hub's namespace. */
export function simSpec(text: string, netns = process.env.LABFLEET_LAB_NETNS ?? DEFAULT_NETNS): SimSpec {
  const cfg = stackConfig(text, { secrets: SECRET_KEY_NAMES });
  if (!cfg.wireguard.enabled) throw new Error("labfleet:wireguard: the simulated lab needs the section (its hub runs in the simulation)");
  if (cfg.wireguard.hub.transport.kind !== "local") throw new Error("labfleet:wireguard.hub.transport.kind: the simulated lab runs a local hub");
  return {
    slots: cfg.hut.enabled ? cfg.hut.slots.map((s) => ({ id: s.id, serialById: s.serialById, entity: s.relay.entity, chip: s.chip })) : [],
    hub: { interface: cfg.wireguard.hub.interface, listenPort: cfg.wireguard.hub.listenPort, cidr: cfg.wireguard.hub.cidr },
    netns,
  };
}

/** The committed stack file with the simulated-lab overlay applied. */
export function overlayStackText(committed: string, sim: SimState): string {
  const doc = (parseYaml(committed) ?? {}) as StackDoc;
  const config = { ...(doc.config ?? {}) };
  config["labfleet:simulated"] = true;
  const hut = (config["labfleet:hut"] ?? {}) as Record<string, unknown>;
  if (config["labfleet:hut"] !== undefined) {
    config["labfleet:hut"] = {
      ...hut,
      firmware: sim.firmware,
      homeAssistant: { ...((hut.homeAssistant as object | undefined) ?? {}), url: sim.ha.url },
      powerCycleNonce: POWER_CYCLE_NONCE,
    };
  }
  const wg = config["labfleet:wireguard"] as { hub?: Record<string, unknown> } | undefined;
  if (wg?.hub) {
    config["labfleet:wireguard"] = { ...wg, hub: { ...wg.hub, transport: { kind: "local", netns: sim.netns } } };
  }
  return stringifyYaml({ ...doc, config });
}
