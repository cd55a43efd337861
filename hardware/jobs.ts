import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { AbortedError, LockTimeoutError, UsageError } from "./errors.ts";
import { issuesToMessage, readTextArg } from "./inventory.ts";
import { currentHolder } from "./holders.ts";
import { JOB_RESULTS_ENV, readJobResults, reportFields } from "./job-results.ts";
import { DEFAULT_LOCK_DIR, acquireLock, jobLockPath } from "./lock.ts";
import { ensurePrivateDir } from "./private-dir.ts";
import { spawnGroup } from "./proc.ts";
import { InvocationShape, type Lane, Report, type ReportStatus, type StepReport, checkTimeout } from "./schema/ws2.ts";

/**
 * `hut run`.
 * Design notes: docs/design/hut.md ("hardware/jobs.ts").
 */

/** Report exit codes for outcomes that are not the command's own status. */
export const JOB_EXIT = { rejected: 2, timeout: 124, notStarted: 127, cancelled: 130 } as const;

const CANCEL_POLL_MS = 250;
const KILL_GRACE_MS = 5000;
const MAX_ARTIFACTS = 10_000;

/** Default cancel-flag directory: created 0700 (never the world-writable /tmp itself). */
export const DEFAULT_CANCEL_DIR = join(DEFAULT_LOCK_DIR, "cancel");

export function cancelDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HUT_CANCEL_DIR || DEFAULT_CANCEL_DIR;
}

export function cancelFlagPath(jobId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cancelDir(env), `labfleet-cancel-${jobId}.flag`);
}

export interface RunJobOptions {
  invocationFile: string;
  /** Shutdown (SIGINT/SIGTERM): ends the job as `cancelled`. */
  signal?: AbortSignal;
  /** Command output and progress lines. */
  log?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  /**
   * A hardware job's lane and slot (`hut run --lane --slot`, `hut lane`): the report carries them
   * as `lane` / `slot_id` (the slot also when no step flashed or power-cycled it).
   */
  hardware?: { lane?: Lane; slotId?: string };
}

export interface RunJobResult {
  report: Report;
  /** hut's exit code: 0 only on success, 2 when the invocation was rejected. */
  exitCode: number;
}

function executor() {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {}
  return { hostname: hostname(), user };
}

function listArtifacts(workdir: string, expected: readonly string[] | undefined): { found: string[]; missing: string[] } {
  const found: string[] = [];
  const missing: string[] = [];
  const walk = (p: string) => {
    if (found.length >= MAX_ARTIFACTS) return;
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else found.push(p);
  };
  for (const rel of expected ?? []) {
    const abs = resolve(workdir, rel);
    if (existsSync(abs)) walk(abs);
    else missing.push(rel);
  }
  return { found, missing };
}

/** Reads and validates the invocation; throws UsageError naming the bad key. */
export function readInvocation(file: string): InvocationShape {
  const text = readTextArg("--invocation", file);
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`--invocation ${file}: not JSON/YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const r = InvocationShape.safeParse(data, { reportInput: true });
  if (!r.success) throw new UsageError(issuesToMessage(`invocation ${file}`, r.error.issues));
  return r.data;
}

export async function runJob(o: RunJobOptions): Promise<RunJobResult> {
  return runInvocation(readInvocation(o.invocationFile), o);
}

/** Runs an already validated invocation (`hut lane` builds its own). */
export async function runInvocation(inv: InvocationShape, o: Omit<RunJobOptions, "invocationFile">): Promise<RunJobResult> {
  const env = o.env ?? process.env;
  const startMs = Date.now();
  const workdir = resolve(inv.workdir ?? process.cwd());
  ensurePrivateDir(cancelDir(env), 0o700, "HUT_CANCEL_DIR");
  const flag = cancelFlagPath(inv.job_id, env);
  const steps: StepReport[] = [];
  // Where the steps' hut flash / power-cycle record their results (a 0700 dir of its own).
  const resultsDir = mkdtempSync(join(tmpdir(), "labfleet-job-"));
  const resultsFile = join(resultsDir, "results.jsonl");

  const finish = (status: ReportStatus, exitCode: number, summary: string, nextAction?: string): RunJobResult => {
    const endMs = Date.now();
    // A flag that cancelled the job is consumed: a later job with the same id starts clean.
    if (status === "cancelled" && !o.signal?.aborted) rmSync(flag, { force: true });
    const hardware = reportFields(readJobResults(resultsFile));
    rmSync(resultsDir, { recursive: true, force: true });
    const { found, missing } = listArtifacts(workdir, inv.expected_artifacts);
    const missingNote = missing.length > 0 ? `; missing artifacts: ${missing.join(", ")}` : "";
    const report = Report.parse({
      schema_version: "ws2.report.v1",
      job_id: inv.job_id,
      agent_role: inv.target_role,
      status,
      start_utc: new Date(startMs).toISOString(),
      end_utc: new Date(endMs).toISOString(),
      duration_sec: Math.round(endMs - startMs) / 1000,
      exit_code: exitCode,
      lock_key: inv.lock_key,
      human_summary: summary + missingNote,
      executor: executor(),
      ...(inv.commit_sha ? { commit_sha: inv.commit_sha } : {}),
      artifact_paths: found,
      steps,
      ...hardware,
      ...(o.hardware?.lane ? { lane: o.hardware.lane } : {}),
      ...(o.hardware?.slotId ? { slot_id: o.hardware.slotId } : {}),
      ...(nextAction ? { next_action: nextAction } : {}),
    });
    return { report, exitCode: status === "success" ? 0 : exitCode === JOB_EXIT.rejected ? 2 : 1 };
  };

  const limit = checkTimeout(inv);
  if ("error" in limit) {
    return finish("failed", JOB_EXIT.rejected, `rejected: timeout_sec ${limit.error}`, `resubmit with timeout_sec ≤ ${limit.maxSec}`);
  }
  const deadline = startMs + limit.sec * 1000;
  const cancelled = () => existsSync(flag) || o.signal?.aborted === true;
  const cancelNote = () => (o.signal?.aborted ? `interrupted (${String(o.signal.reason)})` : `cancel flag ${flag}`);

  // Step 1: the (role, lock_key) lock, bounded by the deadline, abandoned on cancellation.
  const lockAbort = new AbortController();
  const poll = setInterval(() => {
    if (cancelled()) lockAbort.abort("cancelled");
  }, CANCEL_POLL_MS);
  const lockPath = jobLockPath(inv.target_role, inv.lock_key, env);
  let lock: Awaited<ReturnType<typeof acquireLock>>;
  try {
    if (cancelled()) return finish("cancelled", JOB_EXIT.cancelled, `cancelled before start: ${cancelNote()}`);
    o.log?.(`job ${inv.job_id}: waiting for ${lockPath}\n`);
    lock = await acquireLock(lockPath, { waitSeconds: limit.sec, signal: lockAbort.signal, holder: currentHolder(inv.job_id) });
  } catch (err) {
    if (err instanceof AbortedError) return finish("cancelled", JOB_EXIT.cancelled, `cancelled while waiting for the lock: ${cancelNote()}`);
    if (err instanceof LockTimeoutError) {
      return finish("timeout", JOB_EXIT.timeout, `lock ${lockPath} stayed busy for the whole ${limit.sec}s timeout (held by ${err.holder ?? "unknown"})`, "retry when the other job on this lock_key is done");
    }
    throw err;
  } finally {
    clearInterval(poll);
  }

  try {
    if (!existsSync(workdir) || !statSync(workdir).isDirectory()) {
      return finish("failed", JOB_EXIT.notStarted, `workdir ${workdir} does not exist`, "fix workdir in the invocation");
    }
    const jobEnv = { ...env, LABFLEET_JOB_ID: inv.job_id, LABFLEET_LOCK_KEY: inv.lock_key, LABFLEET_TARGET_ROLE: inv.target_role, [JOB_RESULTS_ENV]: resultsFile };
    for (const [i, step] of inv.command.entries()) {
      const which = `step ${i + 1}/${inv.command.length}`;
      // Cancellation is checked before every step.
      if (cancelled()) {
        const when = i === 0 ? "before start" : `before ${which}`;
        return finish("cancelled", JOB_EXIT.cancelled, `cancelled ${when}: ${cancelNote()}`);
      }
      o.log?.(`job ${inv.job_id}: ${which}: ${step} (in ${workdir})\n`);
      const ended = await runStep(step, workdir, jobEnv, deadline, cancelled, o.log);
      steps.push({ command: step, exit_code: ended.exitCode });
      if (ended.error) return finish("failed", JOB_EXIT.notStarted, `${which} could not start: ${ended.error.message}`, "check the command in the invocation");
      if (ended.why === "timeout") {
        return finish("timeout", JOB_EXIT.timeout, `${which} exceeded timeout_sec ${limit.sec} and was killed`, "raise timeout_sec or make the job faster");
      }
      if (ended.why === "cancelled") return finish("cancelled", JOB_EXIT.cancelled, `cancelled while running ${which}: ${cancelNote()}`);
      if (ended.exitCode !== 0) {
        return finish("failed", ended.exitCode, `${which} (${step}) exited with status ${ended.exitCode}; later steps not run`, "inspect the job log");
      }
    }
    return finish("success", 0, `${inv.command.length} step(s) succeeded in ${((Date.now() - startMs) / 1000).toFixed(1)}s`);
  } finally {
    lock.release();
  }
}

interface StepEnd {
  exitCode: number;
  why?: "timeout" | "cancelled";
  error?: Error;
}

/** One step: `/bin/sh -c <step>` in its own process group, stopped on deadline or cancellation. */
async function runStep(
  step: string,
  workdir: string,
  env: NodeJS.ProcessEnv,
  deadline: number,
  cancelled: () => boolean,
  log?: (text: string) => void,
): Promise<StepEnd> {
  const g = spawnGroup("/bin/sh", ["-c", step], { cwd: workdir, env, stdio: ["ignore", "pipe", "pipe"] });
  g.child.stdout?.on("data", (d) => log?.(String(d)));
  g.child.stderr?.on("data", (d) => log?.(String(d)));
  let why: StepEnd["why"];
  const stop = (reason: "timeout" | "cancelled") => {
    if (why) return;
    why = reason;
    void g.terminate(KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop("timeout"), Math.max(0, deadline - Date.now()));
  const watch = setInterval(() => {
    if (cancelled()) stop("cancelled");
  }, CANCEL_POLL_MS);
  const exit = await g.exited;
  clearTimeout(timer);
  clearInterval(watch);
  if (exit.error) return { exitCode: JOB_EXIT.notStarted, error: exit.error };
  if (why === "timeout") return { exitCode: JOB_EXIT.timeout, why };
  if (why === "cancelled") return { exitCode: JOB_EXIT.cancelled, why };
  return { exitCode: exit.status };
}
