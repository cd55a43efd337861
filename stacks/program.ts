import type { StackConfig } from "./config/index.ts";
import type { StackOutputs } from "./outputs.ts";
import { wireGuardHub, wireGuardOutputs } from "../components/wireguard/from-config.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
  const tags = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };
  // Runner VMs join with wireguard?.addPeer(name, { kind: "runner" }, opts).
  const wireguard = wireGuardHub(cfg, tags);
  const slots = cfg.hut.enabled
    ? cfg.hut.slots.map((s) => ({
        id: s.id,
        label: s.label,
        runner: s.runner,
        serialById: s.serialById,
        relayEntity: s.relay.entity,
        chip: s.chip,
      }))
    : [];
  return { environment: cfg.environment, slots, ...wireGuardOutputs(wireguard) };
}
