import { spawn } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, slotLockPath } from "../../../hardware/lock.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { FAKE_ESPTOOL, REPO, type TempDir, alive, baseEnv, runHut, slotEntry, startHut, tempDir, until } from "./helpers/cli.ts";

/** Slot locks with real processes: flock semantics, fd hygiene, exit codes. */

let tmp: TempDir;
let inv: string;
let lockDir: string;

beforeAll(() => {
  tmp = tempDir("hut-lock-");
  lockDir = join(tmp.path, "locks");
  inv = tmp.file("inv.yaml", { slots: [slotEntry(1), slotEntry(2)] });
});
afterAll(() => tmp.cleanup());

const env = (extra: Record<string, string> = {}) => baseEnv({ HUT_LOCK_DIR: lockDir, HUT_INVENTORY: inv, ...extra });
const lockPath = (id: string) => slotLockPath(id, { HUT_LOCK_DIR: lockDir });

/** A command that appends "<tag> start <ns>" / "<tag> end <ns>" around a sleep. */
function timed(log: string, tag: string, sleep: number) {
  return ["sh", "-c", `echo "${tag} start $(date +%s%N)" >> ${log}; sleep ${sleep}; echo "${tag} end $(date +%s%N)" >> ${log}`];
}

function intervalsNs(log: string): Map<string, [bigint, bigint]> {
  const out = new Map<string, [bigint, bigint]>();
  for (const line of readFileSync(log, "utf8").trim().split("\n")) {
    const [tag, what, ns] = line.split(" ") as [string, string, string];
    const cur = out.get(tag) ?? [0n, 0n];
    cur[what === "start" ? 0 : 1] = BigInt(ns);
    out.set(tag, cur);
  }
  return out;
}

function intervals(log: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of readFileSync(log, "utf8").trim().split("\n")) {
    const [tag, what, ns] = line.split(" ") as [string, string, string];
    const cur = out.get(tag) ?? [0, 0];
    cur[what === "start" ? 0 : 1] = Number(BigInt(ns) / 1000000n);
    out.set(tag, cur);
  }
  return out;
}

describe("hut lock", () => {
  it("runs the command with the lock, passes its exit status, and does not leak the lock fd", async () => {
    const r = await runHut(["lock", "--slot", "hut-01", "--", "sh", "-c", 'for f in /proc/$$/fd/*; do readlink "$f"; done; exit 7'], env());
    expect(r.code).toBe(7);
    expect(r.stdout).not.toContain("hut-hut-01.lock");
    expect(r.stdout.trim().split("\n").length).toBeGreaterThanOrEqual(3); // the listing itself worked
    expect(lockPath("hut-01")).toBe(join(lockDir, "hut-hut-01.lock"));
  });

  /** How long the commands "a" and "b" logged in `log` ran at the same time (negative: apart). */
  function overlapOf(log: string): number {
    const iv = intervals(log);
    const [s1, e1] = iv.get("a")!;
    const [s2, e2] = iv.get("b")!;
    return Math.min(e1, e2) - Math.max(s1, s2);
  }

  it("serializes the same slot (no overlap)", async () => {
    const log = join(tmp.path, "same.log");
    const a = runHut(["lock", "--slot", "hut-01", "--", ...timed(log, "a", 0.7)], env());
    const b = runHut(["lock", "--slot", "hut-01", "--", ...timed(log, "b", 0.7)], env());
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const overlap = overlapOf(log);
    expect(overlap).toBeLessThan(0);
  });

  it("runs different slots concurrently (measured overlap)", async () => {
    const log = join(tmp.path, "diff.log");
    const a = runHut(["lock", "--slot", "hut-01", "--", ...timed(log, "a", 3)], env());
    const b = runHut(["lock", "--slot", "hut-02", "--", ...timed(log, "b", 3)], env());
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const overlap = overlapOf(log);
    // both hold their lock at the same time for most of the 3 s (process start-up skews the starts)
    expect(overlap).toBeGreaterThan(1500);
  });

  it("gives 50 contenders in 5 processes exclusive turns, each exactly once", async () => {
    const path = join(lockDir, "contended.lock");
    const log = join(tmp.path, "contenders.log");
    const procs = Array.from({ length: 5 }, (_, p) =>
      new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "helpers/contender.ts"), path, log, `p${p}`, "10"], {
          cwd: REPO,
          stdio: ["ignore", "ignore", "inherit"],
        });
        c.once("close", resolve);
      }),
    );
    expect(await Promise.all(procs)).toEqual([0, 0, 0, 0, 0]);
    // hrtime is CLOCK_MONOTONIC: comparable across processes on one host
    const spans = [...intervalsNs(log).entries()].sort((a, b) => (a[1][0] < b[1][0] ? -1 : 1));
    expect(spans).toHaveLength(50);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]![1][0] > spans[i - 1]![1][1], `${spans[i]![0]} started before ${spans[i - 1]![0]} ended`).toBe(true);
    }
  });

  it("frees the lock at once when the holder is SIGKILLed, and kills the holder's command group", async () => {
    const pidFile = join(tmp.path, "child.pid");
    const h = startHut(["lock", "--slot", "hut-02", "--", "sh", "-c", `echo $$ > ${pidFile}; exec sleep 60`], env());
    await until(() => {
      try {
        return readFileSync(pidFile, "utf8").trim() !== "";
      } catch {
        return false;
      }
    }, 10_000, "the locked command to start");
    const childPid = Number(readFileSync(pidFile, "utf8").trim());
    expect(alive(childPid)).toBe(true);
    // still held: a try-lock fails
    await expect(acquireLock(lockPath("hut-02"), { waitSeconds: 0 })).rejects.toThrow(/not acquired/);

    h.child.kill("SIGKILL");
    const killedAt = performance.now();
    const lock = await acquireLock(lockPath("hut-02"), { waitSeconds: 5 });
    const freedAfter = performance.now() - killedAt;
    lock.release();
    expect(freedAfter).toBeLessThan(500);
    await until(() => !alive(childPid), 2000, "the watchdog to kill the command's group");
    await h.done;
  });

  it("exits 75 when --wait passes without the lock", async () => {
    const held = await acquireLock(lockPath("hut-01"));
    try {
      const r = await runHut(["lock", "--slot", "hut-01", "--wait", "1", "--", "sh", "-c", "echo ran"], env());
      expect(r.code).toBe(75);
      expect(r.stdout).not.toContain("ran");
      expect(r.stderr).toContain("hut-hut-01.lock not acquired within 1s");
      expect(r.ms).toBeGreaterThanOrEqual(1000);
      const r0 = await runHut(["lock", "--slot", "hut-01", "--wait", "0", "--", "true"], env());
      expect(r0.code).toBe(75);
    } finally {
      held.release();
    }
  });

  it("lets a nested hut command borrow the lock its ancestor holds, but not a stranger", async () => {
    const nested = await runHut(
      ["lock", "--slot", "hut-01", "--", process.execPath, "hardware/bin/hut.js", "lock", "--slot", "hut-01", "--wait", "0", "--", "sh", "-c", "echo nested-ok"],
      env(),
    );
    expect(nested.code, nested.stderr).toBe(0);
    expect(nested.stdout).toContain("nested-ok");

    const held = await acquireLock(lockPath("hut-01"));
    try {
      // a forged HUT_HELD_LOCKS entry (pid 1 is not the holder) does not bypass the lock
      const forged = await runHut(["lock", "--slot", "hut-01", "--wait", "0", "--", "true"], env({ HUT_HELD_LOCKS: `1:${lockPath("hut-01")}` }));
      expect(forged.code).toBe(75);
    } finally {
      held.release();
    }
  });

  it("forwards SIGTERM to the command and exits 128+15", async () => {
    const pidFile = join(tmp.path, "term.pid");
    const h = startHut(["lock", "--slot", "hut-02", "--", "sh", "-c", `echo $$ > ${pidFile}; sleep 60 & wait`], env());
    await until(() => {
      try {
        return readFileSync(pidFile, "utf8").trim() !== "";
      } catch {
        return false;
      }
    }, 10_000, "the locked command to start");
    const childPid = Number(readFileSync(pidFile, "utf8").trim());
    h.child.kill("SIGTERM");
    const r = await h.done;
    expect(r.code).toBe(143);
    expect(alive(childPid)).toBe(false);
    // the lock is free again
    (await acquireLock(lockPath("hut-02"), { waitSeconds: 0 })).release();
  });

  it("exits 2 naming the flag or key on bad input", async () => {
    const cases: [string[], RegExp][] = [
      [["lock", "--wait", "1", "--", "true"], /--slot/],
      [["lock", "--slot", "hut-01", "--wait", "soon", "--", "true"], /--wait/],
      [["lock", "--slot", "hut-77", "--", "true"], /--slot: unknown slot "hut-77"/],
      [["lock", "--slot", "hut-01"], /command/],
    ];
    for (const [args, msg] of cases) {
      const r = await runHut(args, env());
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const bad = tmp.file("bad.yaml", { slots: [slotEntry(1), { ...slotEntry(2), serialById: "/dev/ttyUSB0", extra: 1 }] });
    const r = await runHut(["lock", "--slot", "hut-01", "--inventory", bad, "--", "true"], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("slots[1].serialById: must start with /dev/serial/by-id/");
    expect(r.stderr).toContain("slots[1].extra: unknown key");
    const noInv = await runHut(["slots"], baseEnv());
    expect(noInv.code).toBe(2);
    expect(noInv.stderr).toContain("--inventory");
  });

  it("leaves no lock-holding processes behind", () => {
    // every fd of every process we can see: none may still point at our lock files
    const leaks: string[] = [];
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let fds: string[] = [];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(lockDir)) leaks.push(`${pid}:${fd}`);
        } catch {}
      }
    }
    expect(leaks).toEqual([]);
  });

  it("records the holder: hut who lists it, and bounded flash/power-cycle waits fail with 75 naming it", async () => {
    const holder = startHut(["lock", "--slot", "hut-02", "--", "sleep", "30"], env({ LABFLEET_JOB_ID: "job-77" }));
    try {
      const path = lockPath("hut-02");
      const holderFile = join(lockDir, "holders", "hut-hut-02.lock.json");
      await until(() => statSync(holderFile, { throwIfNoEntry: false }) !== undefined, 15_000, "the holder file");
      expect(statSync(holderFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(lockDir, "holders")).mode & 0o777).toBe(0o700);

      const who = await runHut(["who", "--json"], env());
      expect(who.code, who.stderr).toBe(0);
      const rows = JSON.parse(who.stdout).locks;
      expect(rows).toEqual([
        { lock: path, holder: { pid: holder.child.pid, command: "hut lock --slot hut-02 -- sleep 30", job_id: "job-77", started_utc: expect.any(String) } },
      ]);
      expect(Date.now() - Date.parse(rows[0].holder.started_utc)).toBeLessThan(30_000);
      const one = await runHut(["who", "--slot", "hut-01"], env());
      expect(one.stdout).toBe("no held locks\n");
      const text = await runHut(["who", "--slot", "hut-02"], env());
      expect(text.stdout).toContain(`pid ${holder.child.pid}`);
      expect(text.stdout).toContain("job job-77");

      // a valid image for the slot's chip and an esptool that answers: the wait is the only obstacle
      const fw = join(tmp.path, "fw.bin");
      writeFileSync(fw, espImage("esp32", Buffer.alloc(1024, 7))); // the inventory default chip
      const flash = await runHut(["flash", "--slot", "hut-02", "--firmware", fw, "--wait", "0.5", "--json"], env({ HUT_ESPTOOL: FAKE_ESPTOOL }));
      expect(flash.code).toBe(75);
      expect(flash.stderr).toContain(`lock ${path} not acquired within 0.5s: held by pid ${holder.child.pid} (hut lock --slot hut-02 -- sleep 30, job job-77, since `);
      const pc = await runHut(["power-cycle", "--slot", "hut-02", "--wait", "0", "--json"], env({ HA_URL: "http://127.0.0.1:9", HA_TOKEN: "t" }));
      expect(pc.code).toBe(75);
      expect(pc.stderr).toContain(`held by pid ${holder.child.pid}`);
    } finally {
      holder.child.kill("SIGKILL");
      await holder.done;
    }
    // SIGKILLed: the kernel freed the lock; the holder file it left is stale and not listed
    const after = await runHut(["who", "--json"], env());
    expect(JSON.parse(after.stdout)).toEqual({ locks: [] });
  });
});
