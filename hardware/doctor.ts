import { existsSync } from "node:fs";
import { errorMessage } from "./errors.ts";
import { detectEsptool } from "./esptool.ts";
import type { Holder } from "./holders.ts";
import { serialPort } from "./inventory.ts";
import { probeLock, slotLockPath } from "./lock.ts";
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

/** Which esptool `hut flash` would run, and its version (the same detection as the flash). */
export async function esptoolCheck(): Promise<Check & { version: string | null }> {
  try {
    const tool = await detectEsptool();
    return { ok: true, version: tool.version, message: `esptool ${tool.version} (${tool.command.join(" ")})` };
  } catch (err) {
    return { ok: false, version: null, message: errorMessage(err) };
  }
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
