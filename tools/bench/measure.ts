import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

/** Wall time of a command in ms (median of `runs`), failing loudly on a non-zero exit. */
export function timeCommand(cmd: string, args: string[], runs = 3, opts: { cwd?: string; env?: NodeJS.ProcessEnv; okStatuses?: number[] } = {}): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const dt = performance.now() - t0;
    if (!(opts.okStatuses ?? [0]).includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    times.push(dt);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export const fmtMs = (ms: number) => `${ms.toFixed(0)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** One timed run: wall time and the CPU time (user + system) the command's processes used, in ms. */
export interface Timing {
  wall: number;
  cpu: number;
}

type Cmd = [string, string[]];

/**
 * Runs one command through bash and reads the CPU its children used from `times`, so a ratio
 * stays meaningful on a machine shared with other work (wall time is reported too).
 */
function timeOnce([cmd, args]: Cmd, opts: { cwd?: string; okStatuses?: number[] }): Timing {
  const script = '"$@" >/dev/null; s=$?; times >&2; exit $s';
  const t0 = performance.now();
  const r = spawnSync("bash", ["-c", script, "bash", cmd, ...args], { cwd: opts.cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const wall = performance.now() - t0;
  if (!(opts.okStatuses ?? [0]).includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  // `times` prints the shell's own user/system time, then its children's: "0m1.234s 0m0.056s".
  const children = r.stderr.trim().split("\n").at(-1) ?? "";
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`cannot read CPU time from bash's \`times\`: ${JSON.stringify(children)}`);
  return { wall, cpu: (secs[0]! + secs[1]!) * 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Medians of `runs` runs of each command, interleaved (a, b, a, b, …) so both see the same load. */
export function compareCommands(cmds: Cmd[], runs: number, opts: { cwd?: string; okStatuses?: number[] } = {}): Timing[] {
  const all: Timing[][] = cmds.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cmds.entries()) all[j]!.push(timeOnce(c, opts));
  }
  return all.map((ts) => ({ wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) }));
}

export const fmtTiming = (t: Timing) => `${fmtMs(t.wall)} wall, ${fmtMs(t.cpu)} CPU`;
