import { spawn } from "node:child_process";
import { closeSync, constants, openSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { AbortedError, LockTimeoutError } from "./errors.ts";
import { type Holder, currentHolder, describeHolder, readHolder, removeHolder, writeHolder } from "./holders.ts";
import { ensurePrivateDir } from "./private-dir.ts";

/**
 * Exclusive locks with flock(2) semantics, held by this process.
 * Design notes: docs/design/hut.md ("hardware/lock.ts").
 */

export const HELD_ENV = "HUT_HELD_LOCKS";

/** Default lock directory: created 0750 (never the world-writable /var/lock itself). */
export const DEFAULT_LOCK_DIR = "/var/lock/labfleet";

export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HUT_LOCK_DIR || DEFAULT_LOCK_DIR;
}

/** `${HUT_LOCK_DIR:-/var/lock/labfleet}/hut-<id>.lock` (docs/design/hut.md, "Locks"; the id already reads `hut-NN`). */
export function slotLockPath(slotId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(lockDir(env), `hut-${slotId}.lock`);
}

/** `${HUT_LOCK_DIR:-/var/lock/labfleet}/labfleet-<target_role>-<lock_key>.lock` (docs/design/hut.md, "Locks"). */
export function jobLockPath(role: string, lockKey: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(lockDir(env), `labfleet-${role}-${lockKey}.lock`);
}

export interface HeldLock {
  readonly path: string;
  /** True when an ancestor `hut lock` holds it and this process only borrows it. */
  readonly reentrant: boolean;
  release(): void;
}

export interface AcquireOptions {
  /** Seconds to wait; undefined waits forever, 0 tries once. */
  waitSeconds?: number;
  signal?: AbortSignal;
  /** Recorded as the holder; default: this process (job id from LABFLEET_JOB_ID). */
  holder?: Holder;
  /** Only test whether the lock is free (`hut who`, `hut doctor`): records no holder. */
  probe?: boolean;
}

function ancestors(): Set<number> {
  const out = new Set<number>();
  let pid = process.pid;
  for (let i = 0; i < 64 && pid > 1; i++) {
    out.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised comm: state ppid …
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      pid = Number(rest[1]);
    } catch {
      break;
    }
  }
  return out;
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Lock paths held for us by an ancestor `hut lock`. */
export function inheritedLocks(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const raw = env[HELD_ENV];
  const out = new Set<string>();
  if (!raw) return out;
  const mine = ancestors();
  for (const entry of raw.split(",")) {
    const i = entry.indexOf(":");
    if (i <= 0) continue;
    const pid = Number(entry.slice(0, i));
    if (Number.isInteger(pid) && mine.has(pid)) out.add(canonical(entry.slice(i + 1)));
  }
  return out;
}

/** The HUT_HELD_LOCKS value to pass to a command run while holding `lock`. */
export function heldLocksEnv(lock: HeldLock, env: NodeJS.ProcessEnv = process.env): string {
  const entry = `${process.pid}:${canonical(lock.path)}`;
  return env[HELD_ENV] ? `${env[HELD_ENV]},${entry}` : entry;
}

function openLockFile(path: string): number {
  ensurePrivateDir(dirname(path), 0o750, "HUT_LOCK_DIR");
  // O_RDONLY is enough for flock(2).
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOCTTY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  return openSync(path, constants.O_RDONLY | constants.O_CREAT | constants.O_NOCTTY, 0o640);
}

const LOCK_CONFLICT = 75;

/** Acquires the exclusive lock at `path` (see the module comment). */
export async function acquireLock(path: string, opts: AcquireOptions = {}): Promise<HeldLock> {
  if (inheritedLocks().has(canonical(path))) {
    return { path, reentrant: true, release() {} };
  }
  if (opts.signal?.aborted) throw new AbortedError(String(opts.signal.reason ?? "aborted"));
  const fd = openLockFile(path);
  const args = ["-x", "-E", String(LOCK_CONFLICT)];
  if (opts.waitSeconds === 0) args.push("-n");
  else if (opts.waitSeconds !== undefined) args.push("-w", String(opts.waitSeconds));
  args.push("3");
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      closeSync(fd);
    }
  };
  try {
    const status = await new Promise<number>((resolveStatus, reject) => {
      // setpriv --pdeathsig: a waiting flock dies with hut instead of queueing on as an orphan.
      const child = spawn("setpriv", ["--pdeathsig", "KILL", "--", "flock", ...args], {
        stdio: ["ignore", "ignore", "pipe", fd],
      });
      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      const onAbort = () => child.kill("SIGKILL");
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      child.once("error", (err) => reject(new Error(`cannot run setpriv/flock (util-linux): ${err.message}`)));
      child.once("close", (code, sig) => {
        opts.signal?.removeEventListener("abort", onAbort);
        if (opts.signal?.aborted) reject(new AbortedError(String(opts.signal.reason ?? "aborted")));
        else if (code === 0 || code === LOCK_CONFLICT) resolveStatus(code);
        else reject(new Error(`flock ${path} failed (${code ?? sig}): ${stderr.trim()}`));
      });
    });
    if (status === LOCK_CONFLICT) throw new LockTimeoutError(path, opts.waitSeconds ?? 0, describeHolder(readHolder(path)));
  } catch (err) {
    close();
    throw err;
  }
  if (opts.probe) return { path, reentrant: false, release: close };
  writeHolder(path, opts.holder ?? currentHolder());
  return {
    path,
    reentrant: false,
    release() {
      if (closed) return;
      removeHolder(path);
      close();
    },
  };
}

/** Free, or held (with the recorded holder): one non-waiting try that records nothing. */
export async function probeLock(path: string): Promise<{ held: false } | { held: true; holder?: Holder }> {
  try {
    (await acquireLock(path, { waitSeconds: 0, probe: true })).release();
    return { held: false };
  } catch (err) {
    if (err instanceof LockTimeoutError) return { held: true, holder: readHolder(path) };
    throw err;
  }
}

/** Runs `fn` holding the lock at `path`; always releases. */
export async function withLock<T>(path: string, opts: AcquireOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquireLock(path, opts);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}
