import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { currentHolder } from "../holders.ts";
import { runInvocation } from "../jobs.ts";
import { HELD_ENV, acquireLock, heldLocksEnv, slotLockPath } from "../lock.ts";
import type { SlotConfig } from "../schema/inventory.ts";
import type { InvocationShape, Report } from "../schema/ws2.ts";
import { type JunitCase, junitXml } from "./junit.ts";
import type { LaneStep } from "./steps.ts";

/**
 * One hardware-lane job (a lane run or a health check): holding the slot's lock for the whole job,
 * its steps run as a ws2 invocation through `hut run`'s machinery (deadline, cancellation, the
 * steps' flash/power-cycle results), so the report is a `ws2.report.v1` with `lane: local-hil`
 * and `slot_id`. The steps' own `hut flash` / `hut power-cycle` borrow the lock (HUT_HELD_LOCKS).
 */

const OUTPUT_CAP = 64 * 1024;

export interface LaneJobOptions {
  slot: SlotConfig;
  jobId: string;
  /** The ws2 lock key (one active job per key). */
  lockKey: string;
  commitSha?: string;
  /** Builds the steps once the private work directory exists (`dir`, 0700, removed afterwards). */
  steps: (dir: string) => LaneStep[];
  timeoutSec: number;
  /** Seconds to wait for a busy slot (LockTimeoutError → exit 75). */
  waitSec: number;
  /** Where the test commands run (the CI checkout). */
  workdir: string;
  env: NodeJS.ProcessEnv;
  /** Extra environment of the steps. */
  stepEnv?: (dir: string) => Record<string, string>;
  signal?: AbortSignal;
  log?: (text: string) => void;
}

/** The job settings a lane run and a health check pass through unchanged. */
export type LaneJobSettings = Pick<LaneJobOptions, "timeoutSec" | "waitSec" | "workdir" | "env" | "signal" | "log">;

export function jobSettings(o: LaneJobSettings): LaneJobSettings {
  return { timeoutSec: o.timeoutSec, waitSec: o.waitSec, workdir: o.workdir, env: o.env, signal: o.signal, log: o.log };
}

export interface LaneJobResult {
  report: Report;
  steps: LaneStep[];
  /** Index of the step that ended the job unsuccessfully (undefined on success). */
  failedStep?: number;
  outputs: string[];
}

export async function runLaneJob(o: LaneJobOptions): Promise<LaneJobResult> {
  const lock = await acquireLock(slotLockPath(o.slot.id, o.env), { waitSeconds: o.waitSec, signal: o.signal, holder: currentHolder(o.jobId) });
  const dir = mkdtempSync(join(tmpdir(), "hut-lane-"));
  try {
    const steps = o.steps(dir);
    const invocation: InvocationShape = {
      schema_version: "ws2.invocation.v1",
      job_id: o.jobId,
      target_role: "runner",
      requested_by: o.env.GITLAB_USER_LOGIN || o.env.USER || "hut-lane",
      request_utc: new Date().toISOString(),
      command: steps.map((s) => s.command),
      timeout_sec: o.timeoutSec,
      lock_key: o.lockKey,
      workdir: o.workdir,
      ...(o.commitSha ? { commit_sha: o.commitSha } : {}),
    };
    const outputs = steps.map(() => "");
    let current = -1;
    const marker = new RegExp(`^job ${o.jobId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: step (\\d+)/\\d+: `);
    const { report } = await runInvocation(invocation, {
      env: { ...o.env, [HELD_ENV]: heldLocksEnv(lock, o.env), HUT_SLOT: o.slot.id, ...o.stepEnv?.(dir) },
      signal: o.signal,
      hardware: { lane: "local-hil", slotId: o.slot.id },
      log: (text) => {
        const m = marker.exec(text);
        if (m) current = Number(m[1]) - 1;
        else if (current >= 0 && (outputs[current]?.length ?? 0) < OUTPUT_CAP) outputs[current] += text;
        o.log?.(text);
      },
    });
    const ran = report.steps?.length ?? 0;
    const failedStep = report.status === "success" ? undefined : Math.max(0, ran - 1);
    return { report, steps, failedStep, outputs: outputs.map((t) => t.slice(0, OUTPUT_CAP)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    lock.release();
  }
}

/** The job as JUnit: one test case per step; steps after the failing one are skipped. */
export function laneJunit(suiteName: string, r: LaneJobResult): string {
  const ran = r.report.steps ?? [];
  const cases: JunitCase[] = r.steps.map((step, i) => {
    const base = { name: step.name, classname: suiteName, output: r.outputs[i] || undefined };
    if (i >= ran.length) return { ...base, outcome: { kind: "skipped", message: "not run: an earlier step ended the job" } };
    if (i !== r.failedStep) return { ...base, outcome: { kind: "passed" } };
    const kind = step.infrastructure || r.report.status !== "failed" ? "error" : "failure";
    return { ...base, outcome: { kind, message: r.report.human_summary, detail: `${step.command}\nexit code ${ran[i]?.exit_code}\n${r.report.human_summary}` } };
  });
  return junitXml({ name: suiteName, timestamp: r.report.start_utc, timeSec: r.report.duration_sec, hostname: r.report.executor?.hostname ?? hostname(), cases });
}

/** A job id from the CI job (`CI_JOB_ID`) or the time, safe for ws2 (`[A-Za-z0-9._-]`). */
export function laneJobId(kind: string, slot: string, env: NodeJS.ProcessEnv): string {
  const suffix = env.CI_JOB_ID && /^\d+$/.test(env.CI_JOB_ID) ? `ci${env.CI_JOB_ID}` : `${Date.now()}-${process.pid}`;
  return `${kind}-${slot}-${suffix}`;
}
