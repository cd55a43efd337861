import { join } from "node:path";
import type { SlotConfig } from "../schema/inventory.ts";
import { type CommitState, type CommitStatusPublisher, CommitStatusError } from "./commit-status.ts";
import { type LaneJobResult, jobSettings, laneJobId, runLaneJob } from "./job.ts";
import { fetchStep, flashStep, testSteps } from "./steps.ts";

/**
 * `hut lane run`: the hardware lane for one commit on one slot (docs/design/hardware-lane.md):
 * commit status `pending`, then holding the slot lock: fetch the upstream build of the SHA for the
 * slot's chip, flash it, boot check, the test commands; the ws2 report and JUnit; the final commit
 * status (`success`; `failure` when the product failed: flash, boot or a test; `error` when the lane
 * could not judge it: no build, timeout, cancelled).
 */

export interface LaneRunOptions {
  slot: SlotConfig;
  sha: string;
  test: readonly string[];
  timeoutSec: number;
  waitSec: number;
  workdir: string;
  env: NodeJS.ProcessEnv;
  /** Absent: no commit status is published (no `--repository`). */
  status?: CommitStatusPublisher;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

export interface LaneRunResult extends LaneJobResult {
  state: Exclude<CommitState, "pending">;
  /** Why a commit status could not be published (the job then fails). */
  statusError?: string;
}

export function commitState(r: LaneJobResult): Exclude<CommitState, "pending"> {
  if (r.report.status === "success") return "success";
  if (r.report.status !== "failed" || r.failedStep === undefined) return "error";
  return r.steps[r.failedStep]?.infrastructure ? "error" : "failure";
}

export async function runLane(o: LaneRunOptions): Promise<LaneRunResult> {
  const statusErrors: string[] = [];
  const publish = async (state: CommitState, description: string) => {
    try {
      await o.status?.publish(state, description);
    } catch (err) {
      if (!(err instanceof CommitStatusError)) throw err;
      statusErrors.push(err.message);
      o.log?.(`hut lane: ${err.message}\n`);
    }
  };
  await publish("pending", `hardware lane on ${o.slot.id} (${o.slot.label}): flashing ${o.sha.slice(0, 12)}`);
  let result: LaneJobResult;
  try {
    result = await runLaneJob({
      slot: o.slot,
      jobId: laneJobId("lane", o.slot.id, o.env),
      lockKey: `lane-${o.slot.id}`,
      commitSha: o.sha,
      steps: (dir) => {
        const firmware = join(dir, `firmware-${o.slot.chip}.bin`);
        return [fetchStep(o.sha, o.slot, firmware, o.env), flashStep(o.slot, firmware), ...testSteps(o.test)];
      },
      stepEnv: (dir) => ({ HUT_FIRMWARE: join(dir, `firmware-${o.slot.chip}.bin`), LABFLEET_COMMIT_SHA: o.sha }),
      ...jobSettings(o),
    });
  } catch (err) {
    // the slot stayed busy or the job could not start: the commit still gets an answer
    await publish("error", `hardware lane on ${o.slot.id} did not run: ${(err as Error).message}`);
    throw err;
  }
  const state = commitState(result);
  await publish(state, `${o.slot.id} (${o.slot.label}): ${result.report.human_summary}`);
  return { ...result, state, ...(statusErrors.length > 0 ? { statusError: statusErrors.join("; ") } : {}) };
}
