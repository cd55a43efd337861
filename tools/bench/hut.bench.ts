import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { runEsptool, sha256File } from "../../hardware/flash.ts";
import { slotLockPath, withLock } from "../../hardware/lock.ts";
import { Inventory, type SlotConfig } from "../../hardware/schema/inventory.ts";
import { SIM_BOARD, startSocatPty } from "../../hardware/sim/pty.ts";

/**
 * hut: per-slot locking must not serialize different slots, and must serialize one slot.
 *   - 4 slots flashed in parallel vs 1 slot (fake esptool with a fixed duration): target ≤ 1.2×
 *   - 4 flashes of ONE slot started together vs 1: ≈ 4× (the slot lock queues them)
 * Measured through the library (lock + esptool child in its own process group), then once
 * end to end through 4 `hut flash` processes (adds node start-up on a shared CPU).
 */

const ROOT = resolve(import.meta.dirname, "../..");
const FAKE = join(ROOT, "hardware/sim/fake-esptool.sh");
const FLASH_MS = 1500;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export default async function bench() {
  const dir = mkdtempSync(join(tmpdir(), "hut-bench-"));
  const saved = process.env.FAKE_ESPTOOL_DURATION_MS;
  const cleanups: (() => void)[] = [];
  process.env.FAKE_ESPTOOL_DURATION_MS = String(FLASH_MS);
  try {
    const byId = join(dir, "by-id");
    mkdirSync(byId);
    const lockEnv = { HUT_LOCK_DIR: join(dir, "locks") };
    // Each slot: a socat pty pair with a simulated board printing its boot banner (the CLI's
    // flash ends with the boot check).
    for (const n of [1, 2, 3, 4]) {
      const pty = await startSocatPty(join(byId, `usb-bench-${n}`), join(dir, `board-${n}.device`));
      const board = spawn("sh", [SIM_BOARD, pty.device], { stdio: "ignore" });
      cleanups.push(() => {
        board.kill("SIGKILL");
        pty.child.kill("SIGTERM");
      });
    }
    const slotsDoc = [1, 2, 3, 4].map((n) => {
      const id = `hut-0${n}`;
      return { id, label: `esp32-${id}`, runner: "local", serialById: `/dev/serial/by-id/usb-bench-${n}`, relay: { entity: `switch.hut_0${n}` } };
    });
    const slots = Inventory.parse({ slots: slotsDoc }).slots;
    const firmware = join(dir, "fw.bin");
    writeFileSync(firmware, Buffer.alloc(256 * 1024, 1));
    const sha256 = await sha256File(firmware);

    const flash = (slot: SlotConfig) =>
      withLock(slotLockPath(slot.id, lockEnv), {}, async () => {
        const r = await runEsptool({ slot, port: join(byId, slot.serialById.split("/").pop()!), firmware, sha256, esptool: [FAKE] });
        if (r.status !== "ok") throw new Error(`${slot.id}: ${r.message}`);
      });
    const timed = async (f: () => Promise<unknown>) => {
      const t0 = performance.now();
      await f();
      return performance.now() - t0;
    };

    const one: number[] = [];
    const fourSlots: number[] = [];
    for (let i = 0; i < 3; i++) {
      one.push(await timed(() => flash(slots[0]!)));
      fourSlots.push(await timed(() => Promise.all(slots.map(flash))));
    }
    const sameSlot = await timed(() => Promise.all([0, 1, 2, 3].map(() => flash(slots[0]!))));
    const base = median(one);
    const par = median(fourSlots);
    const parRatio = par / base;
    const serRatio = sameSlot / base;
    process.stdout.write(
      `hut: 4 slots flashed in parallel vs 1 slot = ${parRatio.toFixed(2)}× (${sec(par)} vs ${sec(base)}, fake esptool ${FLASH_MS} ms; target ≤ 1.20×) ${parRatio <= 1.2 ? "ok" : "OVER TARGET"}\n`,
    );
    process.stdout.write(`hut: 4 flashes on one slot vs 1 = ${serRatio.toFixed(2)}× (${sec(sameSlot)} vs ${sec(base)}; expected ≈ 4×, serialized by the slot lock)\n`);

    // End to end: real `hut flash` processes (node + tsx start-up included).
    const inventory = join(dir, "inv.json");
    writeFileSync(inventory, JSON.stringify({ slots: slotsDoc }));
    const env = { ...process.env, ...lockEnv, HUT_INVENTORY: inventory, HUT_SERIAL_BY_ID_DIR: byId, HUT_ESPTOOL: FAKE };
    const cli = (id: string) =>
      new Promise<void>((res, rej) => {
        const c = spawn(process.execPath, [join(ROOT, "hardware/bin/hut.js"), "flash", "--slot", id, "--firmware", firmware, "--json"], { env, stdio: "ignore" });
        c.once("close", (code) => (code === 0 ? res() : rej(new Error(`hut flash ${id} exited ${code}`))));
      });
    const cliOne = await timed(() => cli("hut-01"));
    const cliFour = await timed(() => Promise.all(slots.map((s) => cli(s.id))));
    process.stdout.write(`hut: CLI end to end, 4 \`hut flash\` processes vs 1 = ${(cliFour / cliOne).toFixed(2)}× (${sec(cliFour)} vs ${sec(cliOne)}; includes node start-up)\n`);
  } finally {
    if (saved === undefined) delete process.env.FAKE_ESPTOOL_DURATION_MS;
    else process.env.FAKE_ESPTOOL_DURATION_MS = saved;
    for (const c of cleanups) c();
    rmSync(dir, { recursive: true, force: true });
  }
}
