import { declareHutSlots } from "../components/hut/slots.ts";
import { runnerConnections, runnerOutputs, runnerVms } from "../components/lxd/runners.ts";
import type { StackConfig } from "./config/index.ts";
import type { StackOutputs } from "./outputs.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
  const tags = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };
  // LXD runner hosts; the WireGuard peer callback is wired once components/wireguard lands.
  const vms = runnerVms(cfg, tags);
  // HUT slots reach their runner over SSH at the address the RunnerVm reports.
  const runners = runnerConnections(vms);
  const hutSlots = cfg.hut.enabled
    ? declareHutSlots({ ...cfg.hut, runners, haToken: cfg.secrets.haToken, runnerSshKey: cfg.secrets.runnerSshKey, tags })
    : [];
  const slots = hutSlots.map((s) => s.record);
  return { environment: cfg.environment, slots, ...(vms.length > 0 ? { runners: runnerOutputs(vms) } : {}) };
}
