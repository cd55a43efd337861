import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../../../stacks/config/index.ts";
import { ROOT } from "../../../tools/engine/pulumi.ts";
import { POWER_CYCLE_NONCE, committedStackText, overlayStackText, simSpec, stackConfig } from "../../../tools/lab/overlay.ts";
import type { SimState } from "../../../tools/lab/sim.ts";

/** The simulated lab's `local` stack file validates through the project's one config schema. */

const sim: SimState = {
  version: 1,
  startedAt: new Date(0).toISOString(),
  netns: "labfleet-lab",
  hub: { interface: "wg-lab", listenPort: 51820, address: "10.77.0.1", publicKey: "x", pid: 0 },
  ha: { url: "http://127.0.0.1:45678", port: 45678, pid: 0, entities: ["switch.hut_01_power", "switch.hut_02_power"] },
  serial: [],
  firmware: {
    esp32: { path: "/work/.lab/firmware/labfleet-sim-esp32.bin", sha256: "a".repeat(64) },
    esp32s3: { path: "/work/.lab/firmware/labfleet-sim-esp32s3.bin", sha256: "b".repeat(64) },
  },
  esptool: { command: "/x/fake-esptool.sh", log: "/x/esptool.log" },
};
const tmp = mkdtempSync(join(tmpdir(), "lab-overlay-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the simulated lab's stack overlay", () => {
  const text = overlayStackText(committedStackText(), sim);

  it("marks the stack simulated and points hut and the hub at the simulation", () => {
    const cfg = stackConfig(text, { secrets: ["haToken"] });
    expect(cfg.simulated).toBe(true);
    if (!cfg.hut.enabled || !cfg.wireguard.enabled) throw new Error("hut and wireguard must stay enabled");
    expect(cfg.hut.firmware).toEqual(sim.firmware);
    expect(cfg.hut.homeAssistant?.url).toBe(sim.ha.url);
    expect(cfg.hut.powerCycleNonce).toBe(POWER_CYCLE_NONCE);
    expect(cfg.wireguard.hub.transport).toEqual({ kind: "local", netns: "labfleet-lab" });
    // the committed stack is untouched otherwise, and not simulated
    expect(stackConfig(committedStackText()).simulated).toBe(false);
    expect(simSpec(text).slots).toEqual(simSpec(committedStackText()).slots);
  });

  it("needs the haToken secret (set with pulumi config set --secret), naming the key", () => {
    expect(() => stackConfig(text)).toThrow(ConfigError);
    expect(() => stackConfig(text)).toThrow(/labfleet:haToken/);
  });

  it("errors name the key path (labfleet:simulated must be a boolean)", () => {
    const doc = parseYaml(text) as { config: Record<string, unknown> };
    doc.config["labfleet:simulated"] = "maybe";
    expect(() => stackConfig(JSON.stringify(doc), { secrets: ["haToken"] })).toThrow(/labfleet:simulated/);
  });

  it("runs through the offline plan (npm run plan)", () => {
    const file = join(tmp, "Pulumi.local.yaml");
    // the secret as `pulumi config set --secret` stores it (the offline plan never decrypts it)
    const doc = parseYaml(text) as { config: Record<string, unknown> };
    doc.config["labfleet:haToken"] = { secure: "v1:offline" };
    writeFileSync(file, JSON.stringify(doc));
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "tools/plan/cli.ts"), "--stack", "local", "--config-file", file, "--json"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    // exit 2 would be a config/program error; 1 is a mandatory policy violation
    expect(r.status, r.stderr).not.toBe(2);
    const plan = JSON.parse(r.stdout) as { violations: { policy: string; message: string }[] };
    expect(JSON.stringify(plan)).toContain("hut-01-flash");
    // The only violations: the approval gate sees the peers' hub transport (netns) differ from the
    // approved committed stack. `npm run lab` runs `pulumi up` without the policy pack.
    for (const v of plan.violations) {
      expect(v.policy).toBe("secret-change-approval");
      expect(v.message).toMatch(/changed: transport\./);
    }
  }, 120_000);
});
