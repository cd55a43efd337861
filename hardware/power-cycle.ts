import { setTimeout as sleep } from "node:timers/promises";
import { HaError, type HomeAssistantClient } from "./relay.ts";

/**
 * Power-cycles a slot's relay.
 * Design notes: docs/design/hut.md ("hardware/power-cycle.ts").
 */

export type RelayState = "on" | "off";

export interface PowerCycleSettings {
  offSeconds: number;
  retries: number;
  cooldownSeconds: number;
}

export interface PollSettings {
  pollIntervalMs: number;
  stateTimeoutMs: number;
}

export interface PowerCycleResult {
  slot: string;
  status: "ok" | "timeout" | "ha_error";
  attempts: number;
  message: string;
  /** Only after a failed cycle that had switched the relay off. */
  final_state?: RelayState | "unknown";
}

export interface PowerCycleOptions {
  slot: string;
  entity: string;
  client: HomeAssistantClient;
  settings: PowerCycleSettings;
  poll: PollSettings;
  /** State a failed cycle leaves the relay in (default `on`). */
  finalState?: RelayState;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

async function waitForState(o: PowerCycleOptions, want: "on" | "off"): Promise<void> {
  const deadline = Date.now() + o.poll.stateTimeoutMs;
  let last = "";
  for (;;) {
    last = (await o.client.getState(o.entity)).state;
    if (last === want) return;
    if (Date.now() + o.poll.pollIntervalMs > deadline) {
      throw new HaError("timeout", `${o.entity} did not turn ${want} within ${o.poll.stateTimeoutMs / 1000}s (state: ${last})`, true);
    }
    await sleep(o.poll.pollIntervalMs, undefined, { signal: o.signal });
  }
}

interface Progress {
  /** turn_off was (possibly) sent — by this or an earlier attempt — and `on` not confirmed since. */
  switchedOff: boolean;
}

async function attempt(o: PowerCycleOptions, progress: Progress): Promise<void> {
  const { state } = await o.client.getState(o.entity);
  if (state === "unavailable") throw new HaError("ha_error", `${o.entity} is unavailable in Home Assistant`, true);
  progress.switchedOff = true;
  await o.client.callService("switch", "turn_off", o.entity);
  await waitForState(o, "off");
  o.log?.(`${o.slot}: ${o.entity} off, waiting ${o.settings.offSeconds}s`);
  await sleep(o.settings.offSeconds * 1000, undefined, { signal: o.signal });
  await o.client.callService("switch", "turn_on", o.entity);
  await waitForState(o, "on");
  progress.switchedOff = false;
}

/** After a failed cycle: drive the relay to `want` and poll until it reports it. */
async function settleRelay(o: PowerCycleOptions, want: RelayState): Promise<RelayState | "unknown"> {
  try {
    await o.client.callService("switch", want === "on" ? "turn_on" : "turn_off", o.entity);
    await waitForState(o, want);
    o.log?.(`${o.slot}: cycle failed; ${o.entity} left ${want} (verified)`);
    return want;
  } catch (err) {
    o.log?.(`${o.slot}: cycle failed; could not leave ${o.entity} ${want}: ${(err as Error).message}`);
    return "unknown";
  }
}

/** Interrupted with the relay (possibly) off: one best-effort turn_on so no board stays dark. */
async function restorePower(o: PowerCycleOptions) {
  try {
    await o.client.callService("switch", "turn_on", o.entity, { ignoreShutdown: true });
    o.log?.(`${o.slot}: interrupted; ${o.entity} switched back on`);
  } catch (err) {
    o.log?.(`${o.slot}: interrupted; could not switch ${o.entity} back on: ${(err as Error).message}`);
  }
}

export async function powerCycle(o: PowerCycleOptions): Promise<PowerCycleResult> {
  const max = o.settings.retries + 1;
  let attempts = 0;
  let last: HaError | undefined;
  // kept across attempts: a retry that fails before its own turn_off (HA gone) still leaves the
  // relay that an earlier attempt switched off
  const progress: Progress = { switchedOff: false };
  while (attempts < max) {
    attempts++;
    try {
      await attempt(o, progress);
      return { slot: o.slot, status: "ok", attempts, message: `${o.entity} was off for ${o.settings.offSeconds}s and is on again` };
    } catch (err) {
      if (o.signal?.aborted) {
        if (progress.switchedOff) await restorePower(o);
        throw err;
      }
      last = err instanceof HaError ? err : new HaError("ha_error", String((err as Error).message ?? err), false);
      o.log?.(`${o.slot}: attempt ${attempts}/${max} failed: ${last.message}`);
      if (!last.retryable || attempts >= max) break;
      await sleep(o.settings.cooldownSeconds * 1000, undefined, { signal: o.signal });
    }
  }
  const err = last as HaError;
  const message = `${err.message}${err.retryable ? "" : " (not retried)"}`;
  if (!progress.switchedOff) return { slot: o.slot, status: err.kind, attempts, message };
  const want = o.finalState ?? "on";
  const final = await settleRelay(o, want);
  const note = final === "unknown" ? `; relay state unknown (could not verify ${want})` : `; relay left ${final}`;
  return { slot: o.slot, status: err.kind, attempts, message: message + note, final_state: final };
}
