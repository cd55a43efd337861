import { appendFileSync, readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";
import { type HandoffLine, formatHandoffLine, HandoffLine as HandoffSchema, issueText, parseHandoffLog } from "./schema/handoff.ts";
import { Report, type ReportStatus } from "./schema/ws2.ts";

/**
 * Writing and checking a role repository's handoff log (`hut handoff`; the line format is
 * hardware/schema/handoff.ts, documented in docs/design/gitlab.md, "The handoff line").
 */

/** The handoff status a ws2 report's status becomes. */
export const STATUS_OF_REPORT: Record<ReportStatus, HandoffLine["status"]> = {
  success: "done",
  failed: "failed",
  timeout: "failed",
  cancelled: "cancelled",
};

/** What the caller gave: flag values by line field (evidence may repeat). */
export type HandoffFields = Partial<Record<Exclude<keyof HandoffLine, "evidence">, string>> & { evidence?: string[] };

/** The flag naming each field in errors. */
export const flagOf = (field: string) => (field === "utc" || field === "summary" ? `--${field}` : `--${field.replaceAll("_", "-").replace("commit-sha", "commit")}`);

function readReport(file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`--report: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--report: ${file} is not JSON`);
  }
  const r = Report.safeParse(json);
  if (!r.success) throw new UsageError(`--report: ${file} is not a ws2.report.v1: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/**
 * The entry for the given fields; a ws2 report (`reportFile`) fills what the flags leave out:
 * role, status, commit, job id, summary, and evidence (the report itself plus its artifacts);
 * `repoCommit` is the commit used when neither names one.
 */
export function buildHandoffEntry(given: HandoffFields, reportFile?: string, repoCommit?: string, now = new Date()): HandoffLine {
  const fields: Record<string, unknown> = { utc: now.toISOString().replace(/\.\d{3}Z$/, "Z"), ...given };
  if (reportFile) {
    const r = readReport(reportFile);
    fields.role ??= r.agent_role;
    fields.status ??= STATUS_OF_REPORT[r.status];
    if (r.commit_sha && r.commit_sha !== "none") fields.commit_sha ??= r.commit_sha;
    fields.job_id ??= r.job_id;
    fields.summary ??= r.human_summary;
    fields.evidence = [...(given.evidence ?? []), reportFile, ...(r.artifact_paths ?? [])];
  }
  // the role repository's own HEAD when neither the flags nor the report name a commit
  fields.commit_sha ??= repoCommit;
  const parsed = HandoffSchema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${flagOf(String(i.path[0] ?? "summary"))}: ${issueText(i, fields)}`);
  throw new UsageError([...new Set(problems)].join("; "));
}

function readLog(log: string): string {
  try {
    return readFileSync(log, "utf8");
  } catch (err) {
    throw new UsageError(`--log: cannot read ${log}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/** Appends one validated line (a newline first when the log does not end with one). */
export function appendHandoff(log: string, entry: HandoffLine): string {
  const text = readLog(log);
  const line = formatHandoffLine(entry);
  appendFileSync(log, `${text === "" || text.endsWith("\n") ? "" : "\n"}${line}\n`);
  return line;
}

/** Problems of every entry in a log (`line N: field: message`). */
export function checkHandoffLog(log: string): { entries: number; problems: string[] } {
  const r = parseHandoffLog(readLog(log));
  return { entries: r.entries.length, problems: r.problems.flatMap((p) => p.errors.map((e) => `line ${p.line}: ${e}`)) };
}
