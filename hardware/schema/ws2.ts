import { z } from "zod";

/** ws2 job contract (GOAL-001): invocation and report schemas, and per-role timeout limits. */

export const ROLE_TIMEOUTS = {
  infra: { defaultSec: 600, maxSec: 3600 },
  runner: { defaultSec: 1800, maxSec: 14400 },
} as const;

export const TargetRole = z.enum(["infra", "runner"]);
export type TargetRole = z.infer<typeof TargetRole>;

const lockKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, dot, dash or underscore");
const utc = z.iso.datetime({ offset: true });

export const Invocation = z
  .strictObject({
    schema_version: z.literal("ws2.invocation.v1"),
    job_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, dot, dash or underscore"),
    target_role: TargetRole,
    requested_by: z.string().min(1),
    request_utc: utc,
    command: z.array(z.string()).min(1),
    timeout_sec: z.number().int().positive(),
    lock_key: lockKey,
    commit_sha: z.string().regex(/^[0-9a-f]{7,64}$/).optional(),
    repo: z.string().optional(),
    workdir: z.string().optional(),
    expected_artifacts: z.array(z.string()).optional(),
    notes: z.string().optional(),
  })
  .superRefine((inv, ctx) => {
    const max = ROLE_TIMEOUTS[inv.target_role].maxSec;
    if (inv.timeout_sec > max) {
      ctx.addIssue({ code: "custom", path: ["timeout_sec"], message: `${inv.timeout_sec}s exceeds the ${inv.target_role} maximum of ${max}s` });
    }
  });
export type Invocation = z.infer<typeof Invocation>;

export const ReportStatus = z.enum(["success", "failed", "timeout", "cancelled"]);

export const Report = z.strictObject({
  schema_version: z.literal("ws2.report.v1"),
  job_id: z.string().min(1),
  agent_role: TargetRole,
  status: ReportStatus,
  start_utc: utc,
  end_utc: utc,
  duration_sec: z.number().nonnegative(),
  exit_code: z.number().int(),
  lock_key: lockKey,
  human_summary: z.string(),
  executor: z.strictObject({ hostname: z.string(), user: z.string() }).optional(),
  commit_sha: z.string().optional(),
  artifact_paths: z.array(z.string()).optional(),
  next_action: z.string().optional(),
});
export type Report = z.infer<typeof Report>;
