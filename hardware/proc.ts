import { type ChildProcess, type StdioOptions, spawn } from "node:child_process";
import { constants } from "node:os";

/**
 * Children in their own process group, and never outliving hut.
 * Design notes: docs/design/hut.md ("hardware/proc.ts").
 */

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Shell-style status: the exit code, 128 + signal number, or 127 when it could not start. */
  status: number;
  /** Set when the process could not be started (e.g. ENOENT). */
  error?: Error;
}

export interface GroupProcess {
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  /** Resolves once the leader exited, the group was killed and its stdio closed. */
  readonly exited: Promise<ExitInfo>;
  /** Sends a signal to the whole process group (ignored once it is gone). */
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves on exit. */
  terminate(graceMs?: number): Promise<ExitInfo>;
}

const live = new Set<GroupProcess>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const g of live) g.signal("SIGKILL");
  });
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals) {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is gone already.
  }
}

export function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}

function startWatchdog(pid: number): ChildProcess | undefined {
  try {
    const wd = spawn("sh", ["-c", 'read _ || kill -9 "-$1" 2>/dev/null', "hut-watchdog", String(pid)], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    wd.on("error", () => {});
    wd.stdin?.on("error", () => {});
    wd.unref();
    return wd;
  } catch {
    return undefined;
  }
}

export interface SpawnGroupOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
}

/** Spawns `cmd args` as the leader of a new process group guarded as described above. */
export function spawnGroup(cmd: string, args: readonly string[], opts: SpawnGroupOptions = {}): GroupProcess {
  installExitHook();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: opts.stdio ?? "pipe",
    detached: true,
  });
  const pid = child.pid;
  const watchdog = pid ? startWatchdog(pid) : undefined;
  let finished = false;

  const exited = new Promise<ExitInfo>((resolve) => {
    let startError: Error | undefined;
    child.once("error", (err) => {
      startError = err;
      if (!pid) settle(null, null);
    });
    child.once("exit", (code, signal) => settle(code, signal));
    function settle(code: number | null, signal: NodeJS.Signals | null) {
      if (finished) return;
      finished = true;
      // Leftovers of the group must not outlive the step.
      killGroup(pid, "SIGKILL");
      watchdog?.stdin?.end("done\n");
      const info: ExitInfo = startError
        ? { code: null, signal: null, status: 127, error: startError }
        : { code, signal, status: statusOf(code, signal) };
      const done = () => {
        live.delete(group);
        resolve(info);
      };
      // Wait for stdio to drain (bounded: a grandchild outside the group could hold a pipe).
      if (pid && (child.stdout || child.stderr)) {
        const t = setTimeout(done, 2000);
        child.once("close", () => {
          clearTimeout(t);
          done();
        });
      } else done();
    }
  });

  const group: GroupProcess = {
    pid,
    child,
    exited,
    signal(sig) {
      if (!finished) killGroup(pid, sig);
    },
    async terminate(graceMs = 3000) {
      group.signal("SIGTERM");
      const t = setTimeout(() => group.signal("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(t);
      }
    },
  };
  live.add(group);
  return group;
}

/** Kills every live group hut started (used on shutdown). */
export function killAllGroups(sig: NodeJS.Signals = "SIGKILL") {
  for (const g of live) g.signal(sig);
}
