import { join } from "node:path";
import { Report } from "../schema/ws2.ts";
import type { SlotConfig } from "../schema/inventory.ts";
import { type LaneJobResult, jobSettings, laneJobId, runLaneJob } from "./job.ts";
import { type Decision, type QuarantineState, nextState, readState, writeState } from "./quarantine.ts";
import { RUNNER_TOKEN_ENV, type RunnerControl, gitlabRunnerControl } from "./runner-api.ts";
import { fetchStep, flashStep, powerCycleStep } from "./steps.ts";

/**
 * `hut lane health`: the scheduled health check of one slot and its quarantine
 * (docs/design/hardware-lane.md, "Quarantine"): holding the slot lock, power-cycle (when Home
 * Assistant is configured), fetch and flash the known-good build, boot check. The slot's state file
 * counts consecutive failures; at the limit the slot's GitLab runner is paused, and a later pass
 * resumes it. The report's summary says what happened to the runner and why.
 */

export interface HealthOptions {
  slot: SlotConfig;
  /** The known-good build's commit. */
  sha: string;
  failuresBeforePause: number;
  /** Whether Home Assistant is configured (the power-cycle step runs). */
  powerCycle: boolean;
  /** `--runner-id`, else CI_RUNNER_ID, else the one a quarantine recorded. */
  runnerId?: number;
  /** `--gitlab-url`, else CI_SERVER_URL, else the recorded one. */
  gitlabUrl?: string;
  timeoutSec: number;
  waitSec: number;
  workdir: string;
  env: NodeJS.ProcessEnv;
  /** Test seam; default: the GitLab API with LABFLEET_RUNNER_API_TOKEN. */
  runnerControl?: (o: { gitlabUrl: string; token: string; runnerId: number }) => RunnerControl;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface HealthResult extends LaneJobResult {
  passed: boolean;
  decision: Decision;
  state: QuarantineState;
  /** The pause/resume that was due but failed (the job then fails too). */
  runnerError?: string;
}

function runnerTarget(o: HealthOptions, prev: QuarantineState): { runnerId?: number; gitlabUrl?: string } {
  const ci = o.env.CI_RUNNER_ID && /^\d+$/.test(o.env.CI_RUNNER_ID) ? Number(o.env.CI_RUNNER_ID) : undefined;
  return { runnerId: o.runnerId ?? ci ?? prev.runner_id, gitlabUrl: o.gitlabUrl ?? (o.env.CI_SERVER_URL || undefined) ?? prev.gitlab_url };
}

export async function runHealth(o: HealthOptions): Promise<HealthResult> {
  const prev = readState(o.slot.id, o.env);
  const job = await runLaneJob({
    slot: o.slot,
    jobId: laneJobId("health", o.slot.id, o.env),
    lockKey: `health-${o.slot.id}`,
    commitSha: o.sha,
    steps: (dir) => {
      const firmware = join(dir, `known-good-${o.slot.chip}.bin`);
      return [...(o.powerCycle ? [powerCycleStep(o.slot)] : []), fetchStep(o.sha, o.slot, firmware, o.env), flashStep(o.slot, firmware)];
    },
    ...jobSettings(o),
  });
  const passed = job.report.status === "success";
  const target = runnerTarget(o, prev);
  const { state, decision } = nextState(prev, passed, o.failuresBeforePause);
  let runnerError: string | undefined;
  let note = passed ? "health check passed" : `health check failed (${state.consecutive_failures} in a row, quarantine at ${o.failuresBeforePause})`;
  let next: string | undefined;
  if (decision !== "none") {
    const verb = decision === "pause" ? "pause" : "resume";
    const token = o.env[RUNNER_TOKEN_ENV];
    const missing = !target.runnerId ? "the runner id (CI_RUNNER_ID or --runner-id)" : !target.gitlabUrl ? "the GitLab URL (CI_SERVER_URL or --gitlab-url)" : !token ? RUNNER_TOKEN_ENV : undefined;
    try {
      if (missing) throw new Error(`cannot ${verb} the slot's runner: ${missing} is not set`);
      const control = (o.runnerControl ?? gitlabRunnerControl)({ gitlabUrl: target.gitlabUrl!, token: token!, runnerId: target.runnerId! });
      await control.setPaused(decision === "pause");
      if (decision === "pause") {
        state.paused = true;
        state.reason = `${state.consecutive_failures} consecutive failed health checks; last: ${job.report.human_summary}`;
        note = `QUARANTINED: ${state.consecutive_failures} consecutive failed health checks; GitLab runner ${target.runnerId} paused`;
        next = "the slot is quarantined: follow docs/runbooks/hardware-lane.md, then run the health check again to resume its runner";
      } else note = `health check passed; quarantine lifted, GitLab runner ${target.runnerId} resumed`;
    } catch (err) {
      runnerError = (err as Error).message;
      // a resume that failed keeps the quarantine on record, so the next pass tries again
      if (decision === "resume") state.paused = true;
      note = `${note}; ${runnerError}`;
      next = "fix the runner API access (docs/runbooks/hardware-lane.md) and run the health check again";
    }
  }
  if (target.runnerId) state.runner_id = target.runnerId;
  if (target.gitlabUrl) state.gitlab_url = target.gitlabUrl;
  state.last = { at: job.report.end_utc, status: job.report.status, summary: job.report.human_summary };
  writeState(state, o.env);
  const report = Report.parse({
    ...job.report,
    human_summary: `${note}: ${job.report.human_summary}`,
    ...(next ? { next_action: next } : {}),
  });
  return { ...job, report, passed, decision, state, ...(runnerError ? { runnerError } : {}) };
}
