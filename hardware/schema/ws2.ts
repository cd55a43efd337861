import { z } from "zod";

/**
 * ws2 job contract (docs/design/hut.md, "`hut run` (ws2)"): invocation and report schemas and
 * the per-role timeout limits. `timeout_sec` is listed as required by the contract; hut also accepts an
 * invocation without it and applies the role default (the only way a default can apply).
 * A value over the role maximum is rejected (see `checkTimeout`).
 */

export const ROLE_TIMEOUTS = {
  infra: { defaultSec: 600, maxSec: 3600 },
  runner: { defaultSec: 1800, maxSec: 14400 },
} as const;

/** Seconds a runner-role job may take (lane runs, slot runners, HUT actions): at most the role maximum. */
export const RunnerJobSeconds = z
  .number()
  .int()
  .positive()
  .max(ROLE_TIMEOUTS.runner.maxSec, `must not exceed the runner role limit of ${ROLE_TIMEOUTS.runner.maxSec}s`);

export const TargetRole = z.enum(["infra", "runner"]);
export type TargetRole = z.infer<typeof TargetRole>;

const safeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, dot, dash or underscore").max(128);
const utc = z.iso.datetime({ offset: true });

/** The invocation's shape, without the role limit (so a rejection can still be reported). */
export const InvocationShape = z.strictObject({
  schema_version: z.literal("ws2.invocation.v1"),
  job_id: safeName.describe("unique job id; names the cancel flag"),
  target_role: TargetRole,
  requested_by: z.string().min(1),
  request_utc: utc,
  command: z
    .array(z.string().trim().min(1, "must not be empty"))
    .min(1)
    .describe("steps: each one shell command run with /bin/sh -c in workdir, in order, stopping at the first failure"),
  timeout_sec: z.number().int().positive().optional(),
  lock_key: safeName.describe("one active job per (target_role, lock_key)"),
  commit_sha: z.string().regex(/^(?:[0-9a-f]{7,64}|none)$/, 'must be a hex commit sha or "none"').optional(),
  repo: z.string().optional(),
  workdir: z.string().min(1).optional(),
  expected_artifacts: z.array(z.string().min(1)).optional(),
  notes: z.string().optional(),
});
export type InvocationShape = z.infer<typeof InvocationShape>;

/** The effective timeout, or the reason the invocation is rejected. */
export function checkTimeout(
  inv: Pick<InvocationShape, "target_role" | "timeout_sec">,
): { sec: number } | { error: string; maxSec: number } {
  const limits = ROLE_TIMEOUTS[inv.target_role];
  const sec = inv.timeout_sec ?? limits.defaultSec;
  if (sec > limits.maxSec) return { error: `${sec}s exceeds the ${inv.target_role} maximum of ${limits.maxSec}s`, maxSec: limits.maxSec };
  return { sec };
}

/** A valid invocation: shape plus role limit. */
export const Invocation = InvocationShape.superRefine((inv, ctx) => {
  const r = checkTimeout(inv);
  if ("error" in r) ctx.addIssue({ code: "custom", path: ["timeout_sec"], message: r.error });
});
export type Invocation = z.infer<typeof Invocation>;

export const ReportStatus = z.enum(["success", "failed", "timeout", "cancelled"]);
export type ReportStatus = z.infer<typeof ReportStatus>;

/** One step the job ran, with its exit code (124 killed at the deadline, 130 cancelled). */
export const StepReport = z.strictObject({ command: z.string(), exit_code: z.number().int() });
export type StepReport = z.infer<typeof StepReport>;

/** Which CI lane produced a report: the upstream build lane (no hardware) or the local hardware lane. */
export const Lane = z.enum(["upstream", "local-hil"]);
export type Lane = z.infer<typeof Lane>;

export const Report = z.strictObject({
  schema_version: z.literal("ws2.report.v1"),
  job_id: z.string().min(1),
  agent_role: TargetRole,
  status: ReportStatus,
  start_utc: utc,
  end_utc: utc,
  duration_sec: z.number().nonnegative(),
  exit_code: z.number().int(),
  lock_key: safeName,
  human_summary: z.string(),
  executor: z.strictObject({ hostname: z.string(), user: z.string() }).optional(),
  commit_sha: z.string().optional(),
  artifact_paths: z.array(z.string()).optional(),
  next_action: z.string().optional(),
  steps: z.array(StepReport).optional(),
  // hardware jobs: `lane` and `slot_id` from `hut run --lane/--slot` or `hut lane`; the rest from the
  // results `hut flash` / `hut power-cycle` steps recorded (docs/design/hardware-lane.md)
  lane: Lane.optional(),
  slot_id: z.string().optional(),
  firmware_sha256: z.string().optional(),
  boot: z.strictObject({ status: z.enum(["ok", "timeout"]).nullable(), line: z.string().nullable() }).optional(),
  power_cycles: z.number().int().nonnegative().optional(),
  /** Retries a power-cycle needed to bring the relay round (attempts beyond the first). */
  recovery_events: z.number().int().nonnegative().optional(),
});
export type Report = z.infer<typeof Report>;
