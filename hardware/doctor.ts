import { existsSync } from "node:fs";
import { errorMessage } from "./errors.ts";
import type { Holder } from "./holders.ts";
import { serialPort } from "./inventory.ts";
import { probeLock, slotLockPath } from "./lock.ts";
import { spawnGroup } from "./proc.ts";
import type { HomeAssistantClient } from "./relay.ts";
import type { SlotConfig } from "./schema/inventory.ts";

/**
 * `hut doctor`: per slot, is everything a flash or a power-cycle needs there? `device` (the by-id
 * path exists), `relay` (Home Assistant knows the entity; its state), `lock` (free, or who holds
 * it: a held lock is reported, not a failure), `esptool` (it runs and tells its version).
 */

export interface Check {
  ok: boolean;
  message: string;
}

export interface SlotDiagnosis {
  slot: string;
  ok: boolean;
  device: Check & { path: string };
  relay: Check & { entity: string; state: string | null };
  lock: Check & { held: boolean; holder: Holder | null };
  esptool: Check & { version: string | null };
}

const VERSION = /\bv?(\d+\.\d+(?:\.\d+)?(?:[-.\w]*)?)/;

/** Runs `<esptool> version` (bounded) and returns the version it prints. */
export async function esptoolVersion(esptool: string[], timeoutMs = 15_000): Promise<Check & { version: string | null }> {
  const [cmd, ...pre] = esptool;
  const g = spawnGroup(cmd as string, [...pre, "version"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  g.child.stdout?.on("data", (d) => {
    out += d;
  });
  g.child.stderr?.on("data", (d) => {
    out += d;
  });
  const timer = setTimeout(() => void g.terminate(1000), timeoutMs);
  const exit = await g.exited;
  clearTimeout(timer);
  const label = esptool.join(" ");
  if (exit.error) return { ok: false, version: null, message: `cannot run ${label}: ${exit.error.message}` };
  const m = VERSION.exec(out);
  if (exit.status !== 0 || !m) {
    const last = out.trim().split("\n").at(-1) ?? "no output";
    return { ok: false, version: null, message: `${label} version exited with ${exit.status}: ${last}` };
  }
  return { ok: true, version: m[1] as string, message: `esptool ${m[1]}` };
}

export async function diagnoseSlot(
  slot: SlotConfig,
  ctx: { relay: HomeAssistantClient | { error: string }; esptool: Check & { version: string | null } },
): Promise<SlotDiagnosis> {
  const path = serialPort(slot);
  const device = existsSync(path)
    ? { ok: true, path, message: `${path} exists` }
    : { ok: false, path, message: `${path} does not exist (board unplugged, or a different adapter?)` };

  const entity = slot.relay.entity;
  let relay: SlotDiagnosis["relay"];
  if ("error" in ctx.relay) relay = { ok: false, entity, state: null, message: ctx.relay.error };
  else {
    try {
      const { state } = await ctx.relay.getState(entity);
      relay = state === "unavailable" ? { ok: false, entity, state, message: `${entity} is unavailable in Home Assistant` } : { ok: true, entity, state, message: `${entity} is ${state}` };
    } catch (err) {
      relay = { ok: false, entity, state: null, message: errorMessage(err) };
    }
  }

  const p = await probeLock(slotLockPath(slot.id));
  const lock = p.held ? { ok: true, held: true, holder: p.holder ?? null, message: "held" } : { ok: true, held: false, holder: null, message: "free" };

  return { slot: slot.id, ok: device.ok && relay.ok && lock.ok && ctx.esptool.ok, device, relay, lock, esptool: ctx.esptool };
}
