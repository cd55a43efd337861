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
