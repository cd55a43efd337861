import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../../tools/engine/pulumi.ts";
import { committedStackText, simSpec } from "../../../tools/lab/overlay.ts";
import { stopSim } from "../../../tools/lab/sim.ts";

/**
 * `npm run lab -- up`, `status`, `down` end to end: the real engine deploys the committed `local`
 * stack (LXD runner, WireGuard peers on the simulated hub, flash and power-cycle of both slots)
 * and destroys it, in a lab directory of its own. It uses the committed stack's serial paths and
 * runner name, so it fails (never skips) when a developer's `npm run lab` or real boards hold them.
 * Needs the engine and LXD (tools/setup/prereqs-{engine,lxd}.sh; the CLI runs them).
 */

const labDir = mkdtempSync(join(tmpdir(), "lab-cli-"));
const netns = `lflab-e-${randomBytes(3).toString("hex")}`;
const env = { ...process.env, LABFLEET_LAB_DIR: labDir, LABFLEET_LAB_NETNS: netns, LABFLEET_LAB_PASSPHRASE: "lab-cli-test" };

function lab(args: string[], timeoutMs = 300_000): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tools/lab/cli.ts"), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Date.now() - t0 });
    });
  });
}

beforeAll(() => {
  const busy = simSpec(committedStackText()).slots.filter((s) => existsSync(s.serialById));
  if (busy.length > 0) throw new Error(`${busy.map((s) => s.serialById).join(", ")} exist(s): a running npm run lab or real boards; run npm run lab -- down first`);
});
afterAll(async () => {
  await lab(["down"]);
  await stopSim(labDir);
  rmSync(labDir, { recursive: true, force: true });
}, 300_000);

describe("npm run lab", () => {
  it("up deploys the local stack on the simulated lab, status shows it, down destroys it and stops the simulation", async () => {
    const up = await lab(["up", "--skip-preview"]);
    expect(up.code, up.out.slice(-4000)).toBe(0);
    expect(up.out).toMatch(/\+ 13 created|13 created/);
    // both slots flashed through the fake esptool, on their simulated serial ports
    const writes = readFileSync(join(labDir, "esptool.log"), "utf8").split("--end--\n").filter(Boolean);
    expect(writes).toHaveLength(2);

    const status = await lab(["status"]);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/^\s+simulated\s+true$/m);
    expect(status.out).not.toMatch(/DOWN/);

    const down = await lab(["down"]);
    expect(down.code, down.out.slice(-4000)).toBe(0);
    expect(down.out).toMatch(/13 deleted/);
    expect(existsSync(join(labDir, "sim.json"))).toBe(false);
    for (const s of simSpec(committedStackText()).slots) expect(existsSync(s.serialById)).toBe(false);
    console.log(`lab up ${up.ms} ms, down ${down.ms} ms`);
  }, 600_000);

  it("exits 2 on a usage error", async () => {
    expect((await lab(["bogus"])).code).toBe(2);
  });
});
