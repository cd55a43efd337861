import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type TempDir, baseEnv, runHut, slotEntry, startHut, tempDir, until } from "./helpers/cli.ts";
import { type RealHa, startHomeAssistant } from "./helpers/home-assistant.ts";

/**
 * `hut power-cycle` and `hut doctor`'s relay check against a real Home Assistant core
 * (tools/setup/prereqs-homeassistant.sh; template switches over input_booleans, onboarded with a
 * long-lived token). HA starts once for the file; the test that kills it mid-cycle runs last.
 */

const ENTITY = "switch.hut_01_power";
let ha: RealHa;
let tmp: TempDir;
let inv: string;

beforeAll(async () => {
  tmp = tempDir("hut-realha-");
  ha = await startHomeAssistant({ [ENTITY]: "on", "switch.hut_02_power": "off" });
  console.log(`home assistant: answered after ${Math.round(ha.startMs)} ms, onboarded in ${Math.round(ha.onboardMs)} ms`);
  inv = tmp.file("inv.yaml", {
    homeAssistant: { url: ha.url, requestTimeoutSeconds: 5, pollIntervalSeconds: 0.1, stateTimeoutSeconds: 10 },
    defaults: { powerCycle: { offSeconds: 1, retries: 0, cooldownSeconds: 0.2 } },
    slots: [slotEntry(1), slotEntry(2), { ...slotEntry(3), relay: { entity: "switch.not_in_ha" } }],
  });
}, 240_000);
afterAll(async () => {
  await ha?.stop();
  tmp?.cleanup();
});
beforeEach(async () => {
  if (ha) await ha.set(ENTITY, true);
});

const env = (extra: Record<string, string> = {}) => baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HA_TOKEN: ha.token, ...extra });

function expectNoToken(r: { stdout: string; stderr: string }) {
  expect(r.stdout + r.stderr).not.toContain(ha.token);
}

describe("hut power-cycle against a real Home Assistant", () => {
  it("switches the relay off for --off-seconds and leaves it on, as HA reports", async () => {
    const w = await ha.changes(ENTITY);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--off-seconds", "1", "--json"], env());
    const seen = await w.stop();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ slot: "hut-01", status: "ok", attempts: 1, message: `${ENTITY} was off for 1s and is on again` });
    expect(seen.map((c) => c.state)).toEqual(["off", "on"]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(await ha.state(ENTITY)).toBe("on");
    expectNoToken(r);
  });

  it("a rejected token: exit 1, ha_error naming HA_TOKEN, no service called, token not printed", async () => {
    const bad = "not-the-token-7c1d";
    const w = await ha.changes(ENTITY);
    const r = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--json"], env({ HA_TOKEN: bad }));
    expect(await w.stop()).toEqual([]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ slot: "hut-01", status: "ha_error", attempts: 1 });
    expect(out.message).toBe(`GET /api/states/${ENTITY}: 401 Unauthorized (token rejected: check HA_TOKEN) (not retried)`);
    expect(out.final_state).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain(bad);
    expect(await ha.state(ENTITY)).toBe("on");
  });

  it("an entity HA does not know: exit 1, ha_error, nothing switched", async () => {
    const w = await ha.changes(ENTITY);
    const r = await runHut(["power-cycle", "--slot", "hut-03", "--inventory", inv, "--json"], env());
    const seen = await w.stop();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ slot: "hut-03", status: "ha_error", attempts: 1 });
    expect(JSON.parse(r.stdout).message).toContain("switch.not_in_ha does not exist in Home Assistant (GET /api/states/switch.not_in_ha: 404)");
    expect(seen).toEqual([]);
    expectNoToken(r);
  });

  it("two cycles of one slot at once: --wait 0 exits 75 naming the holder; with a wait they run one after the other", async () => {
    // off long enough that the second hut (a node start on a loaded machine) comes while it holds
    const first = startHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--off-seconds", "6", "--wait", "30", "--json"], env());
    let held = false;
    await until(() => held, 15_000, "hut-01 to be locked", async () => {
      held = JSON.parse((await runHut(["who", "--slot", "hut-01", "--inventory", inv, "--json"], env())).stdout).locks.length === 1;
    });
    const refused = await runHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--wait", "0", "--json"], env());
    expect(refused.code).toBe(75);
    expect(refused.stderr).toContain(`held by pid ${first.child.pid} (hut power-cycle --slot hut-01`);
    expect((await first.done).code).toBe(0);

    const w = await ha.changes(ENTITY);
    const a = startHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--off-seconds", "1", "--wait", "30", "--json"], env());
    const b = startHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--off-seconds", "1", "--wait", "30", "--json"], env());
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const seen = await w.stop();
    expect([ra.code, rb.code], ra.stderr + rb.stderr).toEqual([0, 0]);
    // two separate off periods of ≥ 1 s each: the second cycle began after the first ended
    expect(seen.map((c) => c.state)).toEqual(["off", "on", "off", "on"]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(seen[3]!.at - seen[2]!.at).toBeGreaterThanOrEqual(1000);
    expect(await ha.state(ENTITY)).toBe("on");
  }, 60_000);

  it("hut doctor reads the relay entities and their states from HA", async () => {
    await ha.set("switch.hut_02_power", false);
    const r = await runHut(["doctor", "--json", "--inventory", inv], env());
    const [s1, s2, s3] = JSON.parse(r.stdout).slots;
    expect(s1.relay).toMatchObject({ ok: true, entity: ENTITY, state: "on" });
    expect(s2.relay).toMatchObject({ ok: true, entity: "switch.hut_02_power", state: "off" });
    expect(s3.relay).toMatchObject({ ok: false, entity: "switch.not_in_ha", state: null, message: expect.stringContaining("does not exist in Home Assistant") });
    expectNoToken(r);
  });

  // runs last: HA is gone afterwards
  it("HA stopped in mid-cycle (killed after turn_off): exit 1, final state unknown, within the bounds", async () => {
    const h = startHut(["power-cycle", "--slot", "hut-01", "--inventory", inv, "--off-seconds", "3", "--retries", "1", "--json"], env());
    const end = Date.now() + 15_000;
    while ((await ha.state(ENTITY)) !== "off") {
      if (Date.now() > end) throw new Error("the relay never went off");
      await sleep(50);
    }
    await ha.kill();
    const r = await h.done;
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ slot: "hut-01", status: "ha_error", attempts: 2, final_state: "unknown" });
    expect(out.message).toMatch(/ECONNREFUSED.*relay state unknown \(could not verify on\)/);
    // the first failure is whichever request was in flight or next when HA died
    expect(r.stderr).toMatch(/attempt 1\/2 failed: (GET|POST) \/api\/\S+: (ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)/);
    expect(r.stderr).toContain(`attempt 2/2 failed: GET /api/states/${ENTITY}: ECONNREFUSED`);
    expect(r.stderr).toContain(`cycle failed; could not leave ${ENTITY} on`);
    expect(r.ms).toBeLessThan(20_000);
    expectNoToken(r);
  }, 60_000);
});
