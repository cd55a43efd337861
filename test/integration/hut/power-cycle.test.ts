import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HaDouble } from "../../../hardware/sim/home-assistant.ts";
import { type TempDir, baseEnv, runHut, slotEntry, startHut, tempDir, until } from "./helpers/cli.ts";

/**
 * `hut power-cycle` against the Home Assistant double: exact call sequence, off-time, retries
 * with cooldown, error mapping, and the token never printed.
 */

const TOKEN = "llat-test-token-5f0e9c2b7d";
let tmp: TempDir;
let ha: HaDouble;

const ENTITY = "switch.hut_01_power";

function inventory(haUrl: string, timing: Record<string, number> = {}) {
  return tmp.file(`inv-${Math.random().toString(36).slice(2)}.yaml`, {
    homeAssistant: { url: haUrl, requestTimeoutSeconds: 5, pollIntervalSeconds: 0.05, stateTimeoutSeconds: 5, ...timing },
    defaults: { powerCycle: { offSeconds: 0.3, retries: 2, cooldownSeconds: 0.2 } },
    slots: [slotEntry(1), slotEntry(2), { ...slotEntry(3), relay: { entity: "switch.not_in_ha" } }],
  });
}

function env(extra: Record<string, string> = {}) {
  return baseEnv({ HUT_LOCK_DIR: `${tmp.path}/locks`, HA_TOKEN: TOKEN, ...extra });
}

function expectNoToken(r: { stdout: string; stderr: string }) {
  expect(r.stdout).not.toContain(TOKEN);
  expect(r.stderr).not.toContain(TOKEN);
}

beforeAll(() => {
  tmp = tempDir("hut-pc-");
});
afterAll(() => tmp.cleanup());
afterEach(async () => {
  await ha?.close();
});

async function startHa(transitionMs = 0) {
  ha = await HaDouble.start({ token: TOKEN, entities: { [ENTITY]: "on", "switch.hut_02_power": "on" }, transitionMs });
  return ha;
}

describe("hut power-cycle", () => {
  it("checks the entity, turns it off, polls, waits the off-time, turns it on, polls — in that order", async () => {
    await startHa();
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--off-seconds", "1", "--json"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ slot: "hut-01", status: "ok", attempts: 1, message: expect.stringContaining(ENTITY) });
    expect(ha.sequence()).toEqual([`GET ${ENTITY}`, "POST turn_off", `GET ${ENTITY}`, "POST turn_on", `GET ${ENTITY}`]);
    for (const c of ha.calls) expect(c.authorization).toBe(`Bearer ${TOKEN}`);
    const posts = ha.calls.filter((c) => c.method === "POST");
    for (const p of posts) expect(p.body).toEqual({ entity_id: ENTITY });
    expect(ha.calls.map((c) => c.state ?? null)).toEqual(["on", null, "off", null, "on"]);
    // off-time: from the poll that saw "off" to turn_on ≥ offSeconds (1 s; server-side arrival
    // times carry some scheduling skew on a loaded machine, hence the margins)
    const offSeen = ha.calls[2]!.at;
    const onAt = ha.calls[3]!.at;
    expect(onAt - offSeen).toBeGreaterThanOrEqual(850);
    expect(onAt - offSeen).toBeLessThan(5000);
    expect(ha.states.get(ENTITY)).toBe("on");
    expectNoToken(r);
  });

  it("polls until the relay reports the new state (relay latency) and honours --off-seconds", async () => {
    await startHa(700);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--off-seconds", "0.5", "--json"], env());
    expect(r.code, r.stderr).toBe(0);
    const seq = ha.sequence();
    const iOff = seq.indexOf("POST turn_off");
    const iOn = seq.indexOf("POST turn_on");
    expect(seq[0]).toBe(`GET ${ENTITY}`);
    // every call between the two POSTs is a state poll; it saw "on" until the relay switched
    const between = ha.calls.slice(iOff + 1, iOn);
    expect(between.length).toBeGreaterThanOrEqual(2);
    expect(between.every((c) => c.method === "GET")).toBe(true);
    expect(between.map((c) => c.state)).toEqual([...Array(between.length - 1).fill("on"), "off"]);
    const after = ha.calls.slice(iOn + 1);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.map((c) => c.state)).toEqual([...Array(after.length - 1).fill("off"), "on"]);
    expect(ha.calls[iOn]!.at - ha.calls[iOff]!.at).toBeGreaterThanOrEqual(700 + 500 - 150);
  });

  it("retries after a 5xx with the cooldown between attempts", async () => {
    await startHa();
    ha.fail({ method: "POST", path: /turn_off$/ }, 503, 1);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--cooldown", "1", "--json"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "ok", attempts: 2 });
    expect(ha.sequence()).toEqual([
      `GET ${ENTITY}`,
      "POST turn_off", // 503
      `GET ${ENTITY}`, // attempt 2 starts with the existence check again
      "POST turn_off",
      `GET ${ENTITY}`,
      "POST turn_on",
      `GET ${ENTITY}`,
    ]);
    expect(ha.calls[1]!.status).toBe(503);
    expect(ha.calls[2]!.at - ha.calls[1]!.at).toBeGreaterThanOrEqual(850); // cooldown 1 s, minus skew
    expect(r.stderr).toContain("attempt 1/3 failed");
  });

  it("gives up after --retries and reports ha_error with the cause", async () => {
    await startHa();
    ha.fail({ method: "GET", path: /api\/states/ }, 500, 10);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--retries", "1", "--cooldown", "0", "--json"], env());
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ slot: "hut-01", status: "ha_error", attempts: 2 });
    expect(out.message).toContain("500");
    expect(ha.sequence()).toEqual([`GET ${ENTITY}`, `GET ${ENTITY}`]);
    expect(ha.calls.map((c) => c.status)).toEqual([500, 500]);
  });

  it("maps a rejected token (401) to ha_error without retrying and never prints the token", async () => {
    await startHa();
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--json"], env({ HA_TOKEN: "wrong-token-123" }));
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: "ha_error", attempts: 1 });
    expect(out.message).toMatch(/401/);
    expect(ha.sequence()).toEqual([`GET ${ENTITY}`]);
    expect(r.stdout + r.stderr).not.toContain("wrong-token-123");
    expectNoToken(r);
  });

  it("never calls a service for an entity HA does not know (HA would answer 200 [])", async () => {
    await startHa();
    const r = await runHut(["power-cycle", "--slot", "hut-03", "--inventory", inventory(ha.url), "--json"], env());
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ slot: "hut-03", status: "ha_error", attempts: 1 });
    expect(out.message).toContain("switch.not_in_ha does not exist");
    expect(ha.calls.filter((c) => c.method === "POST")).toHaveLength(0);
    // the double's documented behaviour that makes the check necessary:
    const res = await fetch(`${ha.url}/api/services/switch/turn_off`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ entity_id: "switch.not_in_ha" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
  });

  it("maps slow responses to timeout after the per-request limit, with retries", async () => {
    await startHa();
    ha.slow({ method: "GET", path: /api\/states/ }, 4000, 10);
    const r = await runHut(
      ["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url, { requestTimeoutSeconds: 0.5 }), "--retries", "1", "--cooldown", "0", "--json"],
      env(),
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: "timeout", attempts: 2 });
    expect(out.message).toContain("no response within 0.5s");
    expect(ha.sequence()).toEqual([`GET ${ENTITY}`, `GET ${ENTITY}`]);
    // two requests, each abandoned after 0.5 s — well before the double's 4 s answer
    expect(r.ms).toBeGreaterThanOrEqual(1000);
    expect(ha.calls[1]!.at - ha.calls[0]!.at).toBeLessThan(3500);
  });

  it("reports timeout when the relay never reaches the asked state", async () => {
    await startHa();
    ha.stuck.add(ENTITY);
    const r = await runHut(
      ["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url, { stateTimeoutSeconds: 0.3 }), "--retries", "0", "--json"],
      env(),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "timeout", attempts: 1, message: expect.stringContaining("did not turn off"), final_state: "on" });
    // the relay may have gone off after all: the failed cycle ends with the final state enforced
    expect(ha.calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/api/services/switch/turn_off", "/api/services/switch/turn_on"]);
  });

  it("exits 2 naming HA_TOKEN / HA_URL when they are missing, before any request", async () => {
    await startHa();
    const inv = inventory(ha.url);
    const noToken = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inv], env({ HA_TOKEN: "" }));
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("HA_TOKEN");
    const noUrl = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", tmp.file("nourl.yaml", { slots: [slotEntry(1)] })], env());
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("HA_URL");
    const badRetries = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--retries", "many"], env());
    expect(badRetries.code).toBe(2);
    expect(badRetries.stderr).toContain("--retries");
    expect(ha.calls).toHaveLength(0);
  });

  it("switches the relay back on when interrupted during the off-time (SIGTERM → 143)", async () => {
    await startHa();
    const h = startHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--off-seconds", "30", "--json"], env());
    await until(() => ha.states.get(ENTITY) === "off" && ha.calls.length >= 3, 10_000, "the relay to be off");
    h.child.kill("SIGTERM");
    const r = await h.done;
    expect(r.code).toBe(143);
    expect(ha.sequence().slice(-1)).toEqual(["POST turn_on"]);
    expect(ha.states.get(ENTITY)).toBe("on");
    expect(r.stderr).toContain("switched back on");
  });

  it("HA_URL overrides the inventory URL", async () => {
    await startHa();
    const r = await runHut(["power-cycle", "--slot", "hut-02", "--inventory", inventory("http://127.0.0.1:9"), "--json"], env({ HA_URL: ha.url }));
    expect(r.code, r.stderr).toBe(0);
    expect(ha.calls[0]!.path).toBe("/api/states/switch.hut_02_power");
  });

  it("a cycle that failed after turn_off ends in --final-state (default on), verified by polling", async () => {
    await startHa();
    ha.fail({ method: "POST", path: /turn_on$/ }, 500, 1);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--retries", "0", "--json"], env());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "ha_error", attempts: 1, final_state: "on", message: expect.stringContaining("relay left on") });
    expect(ha.sequence()).toEqual([`GET ${ENTITY}`, "POST turn_off", `GET ${ENTITY}`, "POST turn_on", "POST turn_on", `GET ${ENTITY}`]);
    expect(ha.states.get(ENTITY)).toBe("on");
    await ha.close();

    await startHa();
    ha.fail({ method: "POST", path: /turn_on$/ }, 500, 1);
    const off = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--retries", "0", "--final-state", "off", "--json"], env());
    expect(off.code).toBe(1);
    expect(JSON.parse(off.stdout)).toMatchObject({ status: "ha_error", final_state: "off" });
    expect(ha.sequence().slice(-2)).toEqual(["POST turn_off", `GET ${ENTITY}`]);
    expect(ha.states.get(ENTITY)).toBe("off");

    const bad = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url), "--final-state", "dark"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--final-state");
  });

  it("a retry that fails before its own turn_off still ends in --final-state (the relay an earlier attempt switched off)", async () => {
    await startHa();
    ha.fail({ method: "POST", path: /turn_on$/ }, 503, 1);
    const h = startHut(
      ["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url, { stateTimeoutSeconds: 1 }), "--retries", "1", "--cooldown", "1", "--json"],
      env(),
    );
    // attempt 1 ends with turn_on → 503 and the relay off; attempt 2 then finds it unavailable
    await until(() => ha.calls.some((c) => c.status === 503), 10_000, "the failed turn_on");
    ha.states.set(ENTITY, "unavailable");
    const r = await h.done;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "ha_error", attempts: 2, final_state: "unknown", message: expect.stringContaining("is unavailable") });
    expect(ha.sequence().slice(4, 7)).toEqual([`GET ${ENTITY}`, "POST turn_on", `GET ${ENTITY}`]);
  });

  it("a relay that never confirms the final state is reported unknown, within the state timeout", async () => {
    await startHa();
    ha.fail({ method: "POST", path: /turn_on$/ }, 500, 1);
    ha.stuck.add(ENTITY);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inventory(ha.url, { stateTimeoutSeconds: 1 }), "--retries", "0", "--json"], env());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ final_state: "unknown", message: expect.stringContaining("relay state unknown") });
    expect(r.ms).toBeLessThan(15_000);
  });
});
