import { existsSync, readdirSync, statSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { AbortedError, LockTimeoutError, UsageError } from "./errors.ts";
import { issuesToMessage, readTextArg } from "./inventory.ts";
import { acquireLock, jobLockPath } from "./lock.ts";
import { spawnGroup } from "./proc.ts";
import { InvocationShape, Report, type ReportStatus, checkTimeout } from "./schema/ws2.ts";

/**
 * `hut run`: executes one ws2 invocation and produces its ws2 report.
 *
 * Steps: accept (schema, role timeout limit) → lock `(target_role, lock_key)` → start the
 * command → collect artifacts. `command` is ONE argv, executed without a shell. The
 * cancellation flag is checked at each step boundary and polled while waiting for the lock and
 * while the command runs (then the command's process group gets SIGTERM, SIGKILL 5 s later).
 * One deadline, `timeout_sec` after acceptance, bounds the lock wait and the command together.
 * Artifacts are listed whatever the outcome.
 */

/** Report exit codes for outcomes that are not the command's own status. */
export const JOB_EXIT = { rejected: 2, timeout: 124, notStarted: 127, cancelled: 130 } as const;

const CANCEL_POLL_MS = 250;
const KILL_GRACE_MS = 5000;
const MAX_ARTIFACTS = 10_000;

export function cancelFlagPath(jobId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HUT_CANCEL_DIR || "/tmp", `labfleet-cancel-${jobId}.flag`);
}

export interface RunJobOptions {
  invocationFile: string;
  /** Shutdown (SIGINT/SIGTERM): ends the job as `cancelled`. */
  signal?: AbortSignal;
  /** Command output and progress lines. */
  log?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
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
  const env = o.env ?? process.env;
  const inv = readInvocation(o.invocationFile);
  const startMs = Date.now();
  const workdir = resolve(inv.workdir ?? process.cwd());
  const flag = cancelFlagPath(inv.job_id, env);

  const finish = (status: ReportStatus, exitCode: number, summary: string, nextAction?: string): RunJobResult => {
    const endMs = Date.now();
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
    lock = await acquireLock(lockPath, { waitSeconds: limit.sec, signal: lockAbort.signal });
  } catch (err) {
    if (err instanceof AbortedError) return finish("cancelled", JOB_EXIT.cancelled, `cancelled while waiting for the lock: ${cancelNote()}`);
    if (err instanceof LockTimeoutError) {
      return finish("timeout", JOB_EXIT.timeout, `lock ${lockPath} stayed busy for the whole ${limit.sec}s timeout`, "retry when the other job on this lock_key is done");
    }
    throw err;
  } finally {
    clearInterval(poll);
  }

  try {
    // Step 2: start the command (cancellation checked at the boundary).
    if (cancelled()) return finish("cancelled", JOB_EXIT.cancelled, `cancelled before start: ${cancelNote()}`);
    if (!existsSync(workdir) || !statSync(workdir).isDirectory()) {
      return finish("failed", JOB_EXIT.notStarted, `workdir ${workdir} does not exist`, "fix workdir in the invocation");
    }
    const [cmd, ...args] = inv.command as [string, ...string[]];
    o.log?.(`job ${inv.job_id}: ${JSON.stringify(inv.command)} in ${workdir}\n`);
    const g = spawnGroup(cmd, args, {
      cwd: workdir,
      env: { ...env, LABFLEET_JOB_ID: inv.job_id, LABFLEET_LOCK_KEY: inv.lock_key, LABFLEET_TARGET_ROLE: inv.target_role },
      stdio: ["ignore", "pipe", "pipe"],
    });
    g.child.stdout?.on("data", (d) => o.log?.(String(d)));
    g.child.stderr?.on("data", (d) => o.log?.(String(d)));
    let ended: "timeout" | "cancelled" | undefined;
    const stop = (why: "timeout" | "cancelled") => {
      if (ended) return;
      ended = why;
      void g.terminate(KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop("timeout"), Math.max(0, deadline - Date.now()));
    const watch = setInterval(() => {
      if (cancelled()) stop("cancelled");
    }, CANCEL_POLL_MS);
    const exit = await g.exited;
    clearTimeout(timer);
    clearInterval(watch);

    // Step 3: outcome (artifacts are listed by finish in every case).
    if (exit.error) return finish("failed", JOB_EXIT.notStarted, `command ${cmd} could not start: ${exit.error.message}`, "check the command in the invocation");
    if (ended === "timeout") {
      return finish("timeout", JOB_EXIT.timeout, `command exceeded timeout_sec ${limit.sec} and was killed`, "raise timeout_sec or make the job faster");
    }
    if (ended === "cancelled") return finish("cancelled", JOB_EXIT.cancelled, `cancelled while running: ${cancelNote()}`);
    if (exit.status !== 0) return finish("failed", exit.status, `command exited with status ${exit.status}`, "inspect the job log");
    return finish("success", 0, `command succeeded in ${((Date.now() - startMs) / 1000).toFixed(1)}s`);
  } finally {
    lock.release();
  }
}
