import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { z } from "zod";
import { REPO } from "./cli.ts";
import { onboard } from "./ha-onboarding.ts";
import { HaSocket } from "./ha-socket.ts";

/**
 * A real Home Assistant core (tools/setup/prereqs-homeassistant.sh) for the hut tests: a fresh
 * config dir (0700) with a minimal configuration.yaml — http on 127.0.0.1 and a free port, api, and
 * per relay a template switch over an input_boolean — started with --skip-pip (it must never
 * install anything), onboarded, and a long-lived token in `<dir>/token` (0600). Start it once per
 * test file (it takes seconds); `stop()` ends it by pid and removes the dir.
 */

export const HASS = join(REPO, ".cache/peers/homeassistant/bin/hass");
const START_TIMEOUT_MS = 180_000;

export interface StateChange {
  state: string;
  /** HA's time_fired, ms since the epoch. */
  at: number;
}

const StateChanged = z.object({
  time_fired: z.string(),
  data: z.looseObject({ entity_id: z.string(), new_state: z.looseObject({ state: z.string() }).nullable() }),
});

export interface RealHa {
  url: string;
  token: string;
  pid: number;
  /** ms from spawn until HA answered, and for onboarding (user, token, long-lived token). */
  startMs: number;
  onboardMs: number;
  /** Current state of an entity, read with the long-lived token. */
  state(entity: string): Promise<string>;
  /**
   * Records the entity's state changes as HA fires them (`state_changed` over the websocket API):
   * exact, unlike sampling. `stop()` lets events in flight arrive (300 ms), then returns them.
   */
  changes(entity: string): Promise<{ stop(): Promise<StateChange[]> }>;
  /** Sets a relay's backing input_boolean (resets a switch between tests). */
  set(entity: string, on: boolean): Promise<void>;
  /** SIGKILL, as a crash would; the dir stays until stop(). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** `switch.hut_01_power` → template switch `hut_01_power` over `input_boolean.hut_01_power`. */
function configuration(port: number, switches: Record<string, "on" | "off">) {
  const ids = Object.keys(switches).map((e) => e.replace(/^switch\./, ""));
  const call = (id: string, service: string) => ({ service: `input_boolean.${service}`, target: { entity_id: `input_boolean.${id}` } });
  return {
    homeassistant: { name: "labfleet tests", latitude: 0, longitude: 0, elevation: 0, unit_system: "metric", time_zone: "UTC", country: "DE" },
    http: { server_host: "127.0.0.1", server_port: port },
    api: null,
    input_boolean: Object.fromEntries(ids.map((id) => [id, { name: id, initial: switches[`switch.${id}`] === "on" }])),
    switch: [
      {
        platform: "template",
        switches: Object.fromEntries(
          ids.map((id) => [
            id,
            { value_template: `{{ is_state('input_boolean.${id}', 'on') }}`, turn_on: call(id, "turn_on"), turn_off: call(id, "turn_off") },
          ]),
        ),
      },
    ],
  };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!exited(child) && Date.now() < end) await sleep(50);
  return exited(child);
}

export async function startHomeAssistant(switches: Record<string, "on" | "off">): Promise<RealHa> {
  if (!existsSync(HASS)) throw new Error(`${HASS} is missing: run tools/setup/prereqs-homeassistant.sh`);
  const dir = mkdtempSync(join(tmpdir(), "hut-ha-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "configuration.yaml"), stringify(configuration(port, switches)), { mode: 0o600 });
  const log = join(dir, "hass.out");
  const out = openSync(log, "w", 0o600);
  const t0 = performance.now();
  const child = spawn(HASS, ["-c", dir, "--skip-pip", "--log-no-color"], { stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  const pid = child.pid as number;
  const kill = async (signal: NodeJS.Signals) => {
    if (exited(child)) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
    await waitExit(child, 20_000);
  };
  const fail = async (why: string) => {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-30).join("\n") : "";
    await kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    return new Error(`home assistant: ${why}\n${tail}`);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited(child)) throw await fail(`exited (${child.exitCode ?? child.signalCode}) before answering`);
    const ok = await fetch(`${url}/api/onboarding`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw await fail(`no answer on ${url} within ${START_TIMEOUT_MS / 1000}s`);
    await sleep(250);
  }
  const startMs = performance.now() - t0;
  let token: string;
  try {
    token = await onboard(url);
  } catch (err) {
    throw await fail((err as Error).message);
  }
  const onboardMs = performance.now() - t0 - startMs;
  writeFileSync(join(dir, "token"), token, { mode: 0o600 });

  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const state = async (entity: string) => {
    const res = await fetch(`${url}/api/states/${entity}`, { headers, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET state of ${entity}: ${res.status}`);
    return z.object({ state: z.string() }).parse(await res.json()).state;
  };
  const set = async (entity: string, on: boolean) => {
    const id = entity.replace(/^switch\./, "input_boolean.");
    const res = await fetch(`${url}/api/services/input_boolean/${on ? "turn_on" : "turn_off"}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ entity_id: id }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`set ${id}: ${res.status}`);
  };
  const changes = async (entity: string) => {
    const socket = await HaSocket.open(url, token);
    const seen: StateChange[] = [];
    await socket.subscribe("state_changed", (event) => {
      const e = StateChanged.safeParse(event);
      if (e.success && e.data.data.entity_id === entity && e.data.data.new_state) seen.push({ state: e.data.data.new_state.state, at: Date.parse(e.data.time_fired) });
    });
    return {
      stop: async () => {
        await sleep(300);
        socket.close();
        return seen;
      },
    };
  };
  // the template switches follow their input_booleans once HA has started
  for (const [entity, want] of Object.entries(switches)) {
    const end = Date.now() + 30_000;
    while ((await state(entity).catch(() => "")) !== want) {
      if (Date.now() > end) throw await fail(`${entity} did not report ${want}`);
      await sleep(100);
    }
  }
  // an integration that could not load (e.g. a requirement missing from the lock: HA runs with
  // --skip-pip) fails the start instead of surfacing later as an odd answer
  const errors = readFileSync(join(dir, "home-assistant.log"), "utf8")
    .split("\n")
    .filter((l) => / ERROR \(/.test(l));
  if (errors.length > 0) throw await fail(`errors while starting (see tools/setup/homeassistant/requirements.in):\n${errors.join("\n")}`);
  return {
    url,
    token,
    pid,
    startMs,
    onboardMs,
    state,
    changes,
    set,
    kill: () => kill("SIGKILL"),
    stop: async () => {
      await kill("SIGTERM");
      await kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
