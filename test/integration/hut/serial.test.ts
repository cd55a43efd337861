import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, slotLockPath } from "../../../hardware/lock.ts";
import { type TempDir, baseEnv, runHut, slotEntry, startHut, tempDir, until } from "./helpers/cli.ts";
import { type PtyPair, ptyPair } from "./helpers/serial.ts";

/** `hut monitor` on socat pty pairs linked at fake by-id paths. */

let tmp: TempDir;
let byId: string;
let inv: string;
let pty1: PtyPair;
let pty2: PtyPair;
const timers: NodeJS.Timeout[] = [];

const BANNER = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nlab-node v1.4.2 ready\r\n";

beforeAll(async () => {
  tmp = tempDir("hut-serial-");
  byId = join(tmp.path, "by-id");
  const s1 = slotEntry(1);
  const s2 = slotEntry(2);
  inv = tmp.file("inv.yaml", { slots: [s1, s2, slotEntry(3)] });
  pty1 = await ptyPair(byId, s1.serialById.split("/").pop()!);
  pty2 = await ptyPair(byId, s2.serialById.split("/").pop()!);
});

afterAll(async () => {
  for (const t of timers) clearInterval(t);
  await pty1?.close();
  await pty2?.close();
  tmp.cleanup();
});

const env = () => baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: inv, HUT_SERIAL_BY_ID_DIR: byId });

/** The fake board: boot noise every 100 ms, then (if banner) the banner every 300 ms. */
function fakeBoard(pty: PtyPair, banner: boolean) {
  let n = 0;
  const t = setInterval(() => {
    n++;
    pty.write(`I (${n * 100}) cpu_start: noise line ${n}\r\n`);
    if (banner && n % 3 === 0) {
      // split across two writes: the match must survive chunking
      pty.write(BANNER.slice(0, 40));
      setTimeout(() => pty.write(BANNER.slice(40)), 10);
    }
  }, 100);
  timers.push(t);
  return () => clearInterval(t);
}

describe("hut monitor", () => {
  it("matches the boot banner on the slot's by-id port", async () => {
    const stop = fakeBoard(pty1, true);
    try {
      const r = await runHut(["monitor", "--slot", "hut-01", "--expect", "lab-node v[0-9.]+ ready", "--timeout", "10", "--json"], env());
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      // a pty has no modem lines: reported, and the port is read as it is
      expect(out).toMatchObject({ slot: "hut-01", status: "matched", match: "lab-node v1.4.2 ready", line: "lab-node v1.4.2 ready", lines: "unsupported", reset: "no" });
      expect(out.elapsedSec).toBeLessThan(5);
      expect(r.stderr).toContain("lab-node v1.4.2 ready"); // serial output is shown on stderr
    } finally {
      stop();
    }
  });

  it("times out with exit 1 when the pattern never comes", async () => {
    const stop = fakeBoard(pty2, false);
    try {
      const r = await runHut(["monitor", "--slot", "hut-02", "--expect", "lab-node .* ready", "--timeout", "1.5", "--baud", "921600", "--json"], env());
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ slot: "hut-02", status: "timeout", match: null });
      expect(out.elapsedSec).toBeGreaterThanOrEqual(1.5);
      expect(out.elapsedSec).toBeLessThan(3.5);
      expect(r.stderr).toContain("noise line");
    } finally {
      stop();
    }
  });

  it("holds the slot lock while reading: a second monitor waits, bounded by its timeout (75)", async () => {
    let held = false;
    // long enough to still hold the lock when the second hut has started on a loaded machine
    const first = startHut(["monitor", "--slot", "hut-01", "--expect", "never", "--timeout", "15"], env());
    // wait until the first monitor holds the slot lock
    const path = slotLockPath("hut-01", { HUT_LOCK_DIR: join(tmp.path, "locks") });
    await until(() => held, 15_000, "the first monitor to take the lock", async () => {
      held = await acquireLock(path, { waitSeconds: 0 }).then(
        (l) => {
          l.release();
          return false;
        },
        () => true,
      );
    });
    const second = await runHut(["monitor", "--slot", "hut-01", "--expect", "never", "--timeout", "0.5"], env());
    expect(second.code).toBe(75);
    expect((await first.done).code).toBe(1);
  });

  it("fails clearly when the port is missing, and rejects a bad regex with exit 2", async () => {
    const missing = await runHut(["monitor", "--slot", "hut-03", "--expect", "x", "--timeout", "1"], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/usb-Silicon_Labs_CP2102N_hut-03-if00-port0 does not exist/);
    const bad = await runHut(["monitor", "--slot", "hut-01", "--expect", "(unclosed"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--expect");
  });

  it("--reset on a port without modem lines says so and still captures", async () => {
    const stop = fakeBoard(pty1, true);
    try {
      const r = await runHut(["monitor", "--slot", "hut-01", "--expect", "POWERON_RESET", "--timeout", "10", "--reset", "--json"], env());
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: "matched", line: "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)", reset: "unsupported" });
      expect(r.stderr).toContain("has no modem control lines (a pty?): not reset");
    } finally {
      stop();
    }
  });
});
