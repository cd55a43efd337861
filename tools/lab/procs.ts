/**
 * Processes of the simulated lab: started detached (they outlive `npm run lab`), tracked by pid in
 * .lab/sim.json, checked by pid + command line (a recycled pid is not ours) and stopped by pid
 * with bounded waits. Never by name.
 */
import { execFile, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The argv of a live (non-zombie) process, or undefined. */
function procArgv(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return undefined;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs and its command line contains `marker` (so it is the process we started). */
export function isOurs(pid: number | undefined, marker: string): boolean {
  if (!pid || pid <= 1) return false;
  const argv = procArgv(pid);
  return argv?.some((a) => a.includes(marker)) === true;
}

/** SIGTERM, up to `graceMs` for it to end, then SIGKILL and up to 2 s more. True when it is gone. */
export async function stopPid(pid: number | undefined, marker: string, graceMs = 3000): Promise<boolean> {
  if (!isOurs(pid, marker)) return true;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid!, sig);
    } catch {
      /* already gone */
    }
  };
  kill("SIGTERM");
  for (const [limit, next] of [
    [graceMs, "SIGKILL"],
    [2000, undefined],
  ] as const) {
    const end = Date.now() + limit;
    while (Date.now() < end) {
      if (!isOurs(pid, marker)) return true;
      await sleep(25);
    }
    if (next) kill(next);
  }
  return !isOurs(pid, marker);
}

/** Starts `argv` detached (own session), stdout+stderr appended to `logFile`; returns its pid. */
export async function spawnDetached(argv: string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<number> {
  const fd = openSync(opts.logFile, "a", 0o600);
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", fd, fd], env: opts.env ?? process.env, cwd: opts.cwd });
    const err = await new Promise<Error | undefined>((resolve) => {
      child.once("spawn", () => resolve(undefined));
      child.once("error", resolve);
    });
    if (err) throw new Error(`${argv[0]}: ${err.message}`);
    child.unref();
    return child.pid!;
  } finally {
    closeSync(fd);
  }
}

/** Runs a short command to completion (bounded); rejects with its stderr. */
export function run(argv: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0]!, argv.slice(1), { timeout: opts.timeoutMs ?? 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(" ")}: ${String(stderr).trim() || err.message}`));
      else resolve(String(stdout));
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.stdin ?? "");
  });
}

/** Polls `probe` every 50 ms until it is true or `ms` pass; throws naming `what`. */
export async function waitFor(probe: () => boolean | Promise<boolean>, ms: number, what: string, dead?: () => string | undefined): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    const why = dead?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000}s waiting for ${what}`);
    await sleep(50);
  }
}
