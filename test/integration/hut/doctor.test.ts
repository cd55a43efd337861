import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaDouble } from "../../../hardware/sim/home-assistant.ts";
import { type TempDir, baseEnv, runHut, slotEntry, startHut, tempDir, until } from "./helpers/cli.ts";

/** `hut doctor` against the HA double, a by-id directory and a stub esptool. */

const TOKEN = "llat-doctor-token-81c4e2";
let tmp: TempDir;
let ha: HaDouble;
let inv: string;
let byId: string;
let esptool: string;

beforeAll(async () => {
  tmp = tempDir("hut-doctor-");
  byId = join(tmp.path, "by-id");
  ha = await HaDouble.start({ token: TOKEN, entities: { "switch.hut_01_power": "on", "switch.hut_02_power": "off" } });
  inv = tmp.file("inv.yaml", {
    homeAssistant: { url: ha.url, requestTimeoutSeconds: 5 },
    slots: [slotEntry(1), slotEntry(2), { ...slotEntry(3), relay: { entity: "switch.not_in_ha" } }],
  });
  // slots 1 and 2 have their device; slot 3's adapter is unplugged
  mkdirSync(byId);
  for (const n of [1, 2]) tmp.file(`by-id/${slotEntry(n).serialById.split("/").pop()}`, "");
  esptool = tmp.file("esptool", '#!/bin/sh\n[ "$1" = version ] && { echo "esptool v5.1.0"; echo "5.1.0"; exit 0; }\nexit 2\n');
  chmodSync(esptool, 0o755);
});
afterAll(async () => {
  await ha?.close();
  tmp.cleanup();
});

const env = (extra: Record<string, string> = {}) =>
  baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: inv, HUT_SERIAL_BY_ID_DIR: byId, HUT_ESPTOOL: esptool, HA_TOKEN: TOKEN, ...extra });

describe("hut doctor", () => {
  it("checks device, relay entity and state, lock holder and esptool per slot; exit 0 only when all pass", async () => {
    const holder = startHut(["lock", "--slot", "hut-02", "--", "sleep", "30"], env({ LABFLEET_JOB_ID: "job-5" }));
    try {
      let held = false;
      await until(() => held, 15_000, "hut-02 to be locked", async () => {
        const w = await runHut(["who", "--slot", "hut-02", "--json"], env());
        held = JSON.parse(w.stdout).locks.length === 1;
      });
      const r = await runHut(["doctor", "--json"], env());
      expect(r.code, r.stderr).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out.ok).toBe(false);
      const [s1, s2, s3] = out.slots;
      expect(s1).toMatchObject({
        slot: "hut-01",
        ok: true,
        device: { ok: true, path: join(byId, slotEntry(1).serialById.split("/").pop()!) },
        relay: { ok: true, entity: "switch.hut_01_power", state: "on" },
        lock: { ok: true, held: false, holder: null },
        esptool: { ok: true, version: "5.1.0" },
      });
      expect(s2).toMatchObject({ slot: "hut-02", ok: true, relay: { state: "off" }, lock: { held: true, holder: { pid: holder.child.pid, job_id: "job-5" } } });
      expect(s3).toMatchObject({
        slot: "hut-03",
        ok: false,
        device: { ok: false, message: expect.stringContaining("does not exist") },
        relay: { ok: false, state: null, message: expect.stringContaining("switch.not_in_ha does not exist in Home Assistant") },
      });
      expect(r.stdout).not.toContain(TOKEN);

      const one = await runHut(["doctor", "--slot", "hut-01"], env());
      expect(one.code, one.stdout).toBe(0);
      expect(one.stdout).toContain("hut-01: ok");
      expect(one.stdout).toContain("esptool: esptool 5.1.0");
    } finally {
      holder.child.kill("SIGKILL");
      await holder.done;
    }
  });

  it("fails the relay check naming HA_TOKEN, and the esptool check when it cannot run", async () => {
    const r = await runHut(["doctor", "--slot", "hut-01", "--json"], env({ HA_TOKEN: "", HUT_ESPTOOL: join(tmp.path, "no-esptool") }));
    expect(r.code).toBe(1);
    const [s1] = JSON.parse(r.stdout).slots;
    expect(s1).toMatchObject({ ok: false, device: { ok: true }, relay: { ok: false, message: expect.stringContaining("HA_TOKEN") }, esptool: { ok: false, version: null } });
    const bad = await runHut(["doctor", "--slot", "hut-99"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--slot");
  });
});
