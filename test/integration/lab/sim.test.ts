import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isOurs } from "../../../tools/lab/procs.ts";
import { BoardsAttachedError, FAKE_ESPTOOL, type SimSpec, type SimState, haToken, readSimState, startSim, stopSim } from "../../../tools/lab/sim.ts";
import { runHut, until } from "../hut/helpers/cli.ts";

/**
 * The simulated lab behind `npm run lab`: start/stop leaves nothing behind (ptys, links,
 * processes, the hub's namespace), both are idempotent, a real board is never replaced, and the
 * hut CLI drives the simulation (power-cycle through the HA stand-in, flash through the fake
 * esptool on the simulated serial port). Names carry a random suffix: a running `npm run lab`
 * and these tests do not meet. Missing prerequisites fail (tools/setup/prereqs-{hut,wireguard}.sh).
 */

const id = randomBytes(3).toString("hex");
const BY_ID = "/dev/serial/by-id";
const spec: SimSpec = {
  slots: [
    { id: "hut-01", serialById: `${BY_ID}/labfleet-labtest-${id}-1`, entity: "switch.hut_01_power" },
    { id: "hut-02", serialById: `${BY_ID}/labfleet-labtest-${id}-2`, entity: "switch.hut_02_power" },
  ],
  hub: { interface: `wglt${id}`, listenPort: 40000 + (Number.parseInt(id, 16) % 20000), cidr: "10.233.0.0/24" },
  netns: `lflab-t-${id}`,
};
let dir: string;

const sh = (...argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 10_000 });
const netnsList = () => sh("ip", "netns", "list");
const leftovers = (state: SimState) => ({
  processes: [state.hub.pid, state.ha.pid, ...state.serial.flatMap((s) => [s.pid, s.board ?? 0])].filter((pid) => isOurs(pid, "")),
  links: spec.slots.map((s) => s.serialById).filter((p) => existsSync(p)),
  devices: state.serial.map((s) => s.device).filter((p) => existsSync(p)),
  netns: netnsList().includes(spec.netns),
  stateFile: existsSync(join(dir, "sim.json")),
});
const nothingLeft = { processes: [], links: [], devices: [], netns: false, stateFile: false };

beforeAll(() => {
  for (const cmd of ["socat", "wireguard-go", "wg", "ip"]) {
    try {
      sh("sh", "-c", `command -v ${cmd}`);
    } catch {
      throw new Error(`${cmd} is missing: run tools/setup/prereqs-hut.sh and tools/setup/prereqs-wireguard.sh`);
    }
  }
  dir = mkdtempSync(join(tmpdir(), "lab-sim-"));
});
afterEach(async () => {
  expect((await stopSim(dir)).problems).toEqual([]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("simulated lab", () => {
  it("starts every piece, is idempotent, and stops leaving nothing behind", async () => {
    const t0 = Date.now();
    const state = await startSim(spec, dir);
    const startMs = Date.now() - t0;
    expect(readSimState(dir)).toEqual(state);
    expect(sh("stat", "-c", "%a", join(dir, "sim.json")).trim()).toBe("600");
    expect(sh("stat", "-c", "%a", dir).trim()).toBe("700");
    // serial: each by-id path is a pty
    for (const s of spec.slots) expect(realpathSync(s.serialById)).toMatch(/^\/dev\/pts\/\d+$/);
    // hub: in its own namespace, with the persisted key, not in the root namespace
    expect(sh("ip", "netns", "exec", spec.netns, "wg", "show", spec.hub.interface, "public-key").trim()).toBe(state.hub.publicKey);
    expect(sh("ip", "netns", "exec", spec.netns, "wg", "show", spec.hub.interface, "listen-port").trim()).toBe(String(spec.hub.listenPort));
    expect(() => sh("ip", "link", "show", spec.hub.interface)).toThrow();
    // HA stand-in: token required
    expect((await fetch(`${state.ha.url}/api/states/switch.hut_01_power`)).status).toBe(401);
    const ok = await fetch(`${state.ha.url}/api/states/switch.hut_01_power`, { headers: { authorization: `Bearer ${haToken(dir)}` } });
    expect(await ok.json()).toMatchObject({ entity_id: "switch.hut_01_power", state: "on" });
    // firmware
    expect(sh("sha256sum", state.firmware.path).split(" ")[0]).toBe(state.firmware.sha256);

    const again = await startSim(spec, dir);
    expect(again).toEqual(state);

    const t1 = Date.now();
    const report = await stopSim(dir);
    const stopMs = Date.now() - t1;
    expect(report.problems).toEqual([]);
    expect(report.stopped).toHaveLength(2 + 2 * spec.slots.length + 1); // hub, HA, socat and board per slot, netns
    expect(leftovers(state)).toEqual(nothingLeft);
    expect(await stopSim(dir)).toEqual({ stopped: [], problems: [] });
    console.log(`sim start ${startMs} ms, stop ${stopMs} ms`);
  });

  it("restarts a simulation one of whose processes died", async () => {
    const state = await startSim(spec, dir);
    process.kill(state.serial[1]!.pid, "SIGKILL");
    await until(() => !isOurs(state.serial[1]!.pid, "socat"), 5000, "socat to die");
    const next = await startSim(spec, dir);
    expect(next.serial[1]!.pid).not.toBe(state.serial[1]!.pid);
    expect(isOurs(state.ha.pid, "")).toBe(false);
    expect(next.hub.publicKey).toBe(state.hub.publicKey);
    expect(realpathSync(spec.slots[1]!.serialById)).toMatch(/^\/dev\/pts\//);
    await stopSim(dir);
    expect(leftovers(next)).toEqual(nothingLeft);
  });

  it("never replaces a real board's path, and refuses a mix of real and simulated boards", async () => {
    const real = spec.slots[0]!.serialById;
    writeFileSync(real, "");
    try {
      await expect(startSim(spec, dir)).rejects.toThrow(BoardsAttachedError);
      await expect(startSim(spec, dir)).rejects.toThrow(/real: hut-01\)/);
      expect(existsSync(spec.slots[1]!.serialById)).toBe(false);
      expect(netnsList()).not.toContain(spec.netns);
      expect(readFileSync(real, "utf8")).toBe("");
      writeFileSync(spec.slots[1]!.serialById, "");
      await expect(startSim(spec, dir)).rejects.toThrow(/every slot has a board attached \(hut-01, hut-02\)/);
    } finally {
      rmSync(real, { force: true });
      rmSync(spec.slots[1]!.serialById, { force: true });
    }
  });

  it("answers hut power-cycle (HA stand-in) and hut flash (fake esptool on the simulated port)", async () => {
    const state = await startSim(spec, dir);
    try {
      const inventory = join(dir, "inventory.yaml");
      writeFileSync(
        inventory,
        stringify({
          homeAssistant: { url: state.ha.url, pollIntervalSeconds: 0.1 },
          defaults: { powerCycle: { offSeconds: 0.2, cooldownSeconds: 0 } },
          slots: spec.slots.map((s) => ({ id: s.id, label: `esp32-${s.id}`, runner: "local", serialById: s.serialById, relay: { entity: s.entity } })),
        }),
      );
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, HUT_LOCK_DIR: dir, HA_TOKEN: haToken(dir) };
      const pc = await runHut(["power-cycle", "--inventory", inventory, "--slot", "hut-02", "--json"], env);
      expect(pc.code, pc.stderr).toBe(0);
      expect(JSON.parse(pc.stdout)).toMatchObject({ slot: "hut-02", status: "ok", attempts: 1 });
      expect(readFileSync(join(dir, "logs/home-assistant.log"), "utf8")).toMatch(/POST \/api\/services\/switch\/turn_on 200/);

      const fl = await runHut(["flash", "--inventory", inventory, "--slot", "hut-01", "--firmware", state.firmware.path, "--sha256", state.firmware.sha256, "--json"], {
        ...env,
        HUT_ESPTOOL: FAKE_ESPTOOL,
        FAKE_ESPTOOL_LOG: state.esptool.log,
      });
      expect(fl.code, fl.stderr).toBe(0);
      expect(readFileSync(state.esptool.log, "utf8")).toContain(spec.slots[0]!.serialById);
    } finally {
      await stopSim(dir);
    }
    expect(leftovers(state)).toEqual(nothingLeft);
  });
});
