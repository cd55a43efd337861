import { runnerOutputs, runnerVms } from "../components/lxd/runners.ts";
import type { StackConfig } from "./config/index.ts";
import type { StackOutputs } from "./outputs.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
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
  const tags = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };
  // LXD runner hosts; the WireGuard peer callback is wired once components/wireguard lands.
  const runners = runnerVms(cfg, tags);
  return { environment: cfg.environment, slots, ...(runners.length > 0 ? { runners: runnerOutputs(runners) } : {}) };
}
