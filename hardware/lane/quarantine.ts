import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../atomic-file.ts";
import { UsageError } from "../errors.ts";
import { ensurePrivateDir } from "../private-dir.ts";

/**
 * The slot quarantine's memory (docs/design/hardware-lane.md, "Quarantine"): one JSON file per
 * slot on the runner host that carries it, `<state dir>/<slot>.json`, 0600 in a 0700 directory; the
 * directory is `HUT_LANE_STATE_DIR`, else `${XDG_STATE_HOME:-$HOME/.local/state}/labfleet/lane` of the
 * user the jobs run as (gitlab-runner: no set-up on the host needed). It counts consecutive failed health checks and remembers which
 * GitLab runner a quarantine paused, so a later pass — also one run by hand on the host, outside
 * CI — can resume it.
 */

export const QuarantineState = z.strictObject({
  slot: z.string(),
  consecutive_failures: z.number().int().nonnegative(),
  /** Whether a quarantine paused the runner (and no pass resumed it since). */
  paused: z.boolean(),
  runner_id: z.number().int().positive().optional(),
  gitlab_url: z.string().optional(),
  /** The last health check: when, its status and summary. */
  last: z.strictObject({ at: z.string(), status: z.string(), summary: z.string() }).optional(),
  /** Why the runner was paused (while `paused`). */
  reason: z.string().optional(),
});
export type QuarantineState = z.infer<typeof QuarantineState>;

export function laneStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HUT_LANE_STATE_DIR) return env.HUT_LANE_STATE_DIR;
  const base = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, ".local", "state") : undefined);
  if (!base) throw new UsageError("HUT_LANE_STATE_DIR: required when neither XDG_STATE_HOME nor HOME is set");
  return join(base, "labfleet", "lane");
}

export function stateFile(slot: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(laneStateDir(env), `${slot}.json`);
}

export function readState(slot: string, env: NodeJS.ProcessEnv = process.env): QuarantineState {
  const file = stateFile(slot, env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { slot, consecutive_failures: 0, paused: false };
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UsageError(`HUT_LANE_STATE_DIR: ${file} is not JSON; fix or remove it (docs/runbooks/hardware-lane.md)`);
  }
  const r = QuarantineState.safeParse(data);
  if (!r.success) throw new UsageError(`HUT_LANE_STATE_DIR: ${file}: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`);
  return r.data;
}

export function writeState(state: QuarantineState, env: NodeJS.ProcessEnv = process.env): void {
  ensurePrivateDir(laneStateDir(env), 0o700, "HUT_LANE_STATE_DIR");
  writeFileAtomic(stateFile(state.slot, env), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

export type Decision = "none" | "pause" | "resume";

/** The next state after a health check, and what to do with the runner. */
export function nextState(prev: QuarantineState, passed: boolean, failuresBeforePause: number): { state: QuarantineState; decision: Decision } {
  if (passed) {
    const { reason: _r, ...rest } = prev;
    return { state: { ...rest, consecutive_failures: 0, paused: false }, decision: prev.paused ? "resume" : "none" };
  }
  const failures = prev.consecutive_failures + 1;
  return { state: { ...prev, consecutive_failures: failures }, decision: !prev.paused && failures >= failuresBeforePause ? "pause" : "none" };
}
