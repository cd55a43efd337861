import { declareHutSlots } from "../components/hut/slots.ts";
import type { StackConfig } from "./config/index.ts";
import { wireGuardHub, wireGuardOutputs } from "../components/wireguard/from-config.ts";
import type { StackOutputs } from "./outputs.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
  const tags = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };
  // Runner VMs join with wireguard?.addPeer(name, { kind: "runner" }, opts).
  const wireguard = wireGuardHub(cfg, tags);
  // HUT slots reach their runner over SSH. Until the LXD RunnerVm outputs are wired in, the
  // connection is derived from labfleet:lxd.runners (instance name as host, sshUser as user).
  const runners = Object.fromEntries(
    (cfg.lxd.enabled ? cfg.lxd.runners : []).map((r) => [r.name, { host: r.name, user: r.sshUser }]),
  );
  const hutSlots = cfg.hut.enabled
    ? declareHutSlots({ ...cfg.hut, runners, haToken: cfg.secrets.haToken, runnerSshKey: cfg.secrets.runnerSshKey, tags })
    : [];
  const slots = hutSlots.map((s) => s.record);
  return { environment: cfg.environment, slots, ...wireGuardOutputs(wireguard) };
}
