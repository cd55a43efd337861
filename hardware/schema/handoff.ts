import { z } from "zod";

/**
 * One line of a role repository's handoff log (docs/design/gitlab.md, "The handoff line"): the one
 * schema of the format, used by `hut handoff` (which the repositories' `scripts/report` calls), by
 * the bootstrap templates that describe it, and by the tests that parse the logs.
 *
 *     - <utc> commit_sha=<sha|none> role=<role> status=<s> context=<c> action_type=<a>
 *       operator_required=<yes|no> executor=<e> evidence=<p1>,<p2>[ job_id=<id>] -- <summary>
 *
 * (one line; the fields in this order, `job_id` optional, the summary after ` -- `).
 */

export const AgentRole = z.enum(["arch", "infra", "runner"]);
export type AgentRole = z.infer<typeof AgentRole>;

export const HandoffStatus = z.enum(["in_progress", "blocked", "done", "failed", "cancelled"]);
export const HandoffContext = z.enum(["arch-local", "infra-live", "runner-live"]);
export const HandoffAction = z.enum(["scaffold", "delegate", "execute", "replan"]);
export const HandoffExecutor = z.enum(["remote_codex", "ssh_direct"]);

/** An evidence pointer: a file path or an https:// URL, without spaces, commas or `..` segments. */
const Evidence = z
  .string()
  .regex(/^(?:https:\/\/[^\s,]+|(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/@:+-]+)$/, "must be a file path or an https:// URL (no spaces, commas or .. segments)");

export const HandoffLine = z.strictObject({
  utc: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?Z$/, "must be a UTC time like 2026-02-12T15:30:00Z"),
  commit_sha: z.string().regex(/^(?:[0-9a-f]{7,64}|none)$/, 'must be a hex commit sha (7+ digits) or "none"'),
  role: AgentRole,
  status: HandoffStatus,
  context: HandoffContext,
  action_type: HandoffAction,
  operator_required: z.enum(["yes", "no"]),
  executor: HandoffExecutor,
  evidence: z.array(Evidence).min(1, "at least one evidence pointer"),
  job_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .optional(),
  summary: z
    .string()
    .trim()
    .min(1, "must not be empty")
    .regex(/^[^\n\r]*$/, "must be one line"),
});
export type HandoffLine = z.infer<typeof HandoffLine>;

/** An issue's message, "is required" for a field missing from `given`. */
export function issueText(i: z.core.$ZodIssue, given: Record<string, unknown>): string {
  return i.path.length === 1 && given[String(i.path[0])] === undefined ? "is required" : i.message;
}

/** The key=value fields in line order (`utc` and `summary` are positional). */
export const HANDOFF_KEYS = ["commit_sha", "role", "status", "context", "action_type", "operator_required", "executor", "evidence", "job_id"] as const;

/** The line a valid entry is written as. */
export function formatHandoffLine(entry: HandoffLine): string {
  const e = HandoffLine.parse(entry);
  const fields = HANDOFF_KEYS.filter((k) => e[k] !== undefined).map((k) => `${k}=${k === "evidence" ? e.evidence.join(",") : e[k]}`);
  return `- ${e.utc} ${fields.join(" ")} -- ${e.summary}`;
}

const LINE = /^- (\S+) ((?:[a-z_]+=\S+ )+)-- (.*)$/;

/** True for a line that is meant as a handoff entry (a list item starting with a time). */
export const isHandoffCandidate = (line: string) => /^- \d{4}-\d{2}-\d{2}T/.test(line);

/** Parses one line; the errors name the offending field. */
export function parseHandoffLine(line: string): { ok: true; entry: HandoffLine } | { ok: false; errors: string[] } {
  const m = LINE.exec(line);
  if (!m) return { ok: false, errors: ["not a handoff line: expected `- <utc> key=value … -- <summary>`"] };
  const fields: Record<string, unknown> = { utc: m[1], summary: m[3] };
  const order: string[] = [];
  for (const pair of m[2]!.trim().split(" ")) {
    const eq = pair.indexOf("=");
    const k = pair.slice(0, eq);
    if (k in fields) return { ok: false, errors: [`${k}: given twice`] };
    order.push(k);
    fields[k] = k === "evidence" ? pair.slice(eq + 1).split(",") : pair.slice(eq + 1);
  }
  const expected = HANDOFF_KEYS.filter((k) => k in fields);
  if (order.join(" ") !== expected.join(" ")) {
    const unknown = order.filter((k) => !(HANDOFF_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) return { ok: false, errors: unknown.map((k) => `${k}: unknown field`) };
    return { ok: false, errors: [`fields out of order: expected ${HANDOFF_KEYS.join(", ")}`] };
  }
  const parsed = HandoffLine.safeParse(fields);
  if (parsed.success) return { ok: true, entry: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${issueText(i, fields)}`) };
}

/** Every handoff entry of a log, with the 1-based line number of each problem. */
export function parseHandoffLog(text: string): { entries: HandoffLine[]; problems: { line: number; errors: string[] }[] } {
  const entries: HandoffLine[] = [];
  const problems: { line: number; errors: string[] }[] = [];
  let fenced = false; // examples in code fences are not entries
  text.split("\n").forEach((line, n) => {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced || !isHandoffCandidate(line)) return;
    const r = parseHandoffLine(line);
    if (r.ok) entries.push(r.entry);
    else problems.push({ line: n + 1, errors: r.errors });
  });
  return { entries, problems };
}
