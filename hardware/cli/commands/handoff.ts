import type { Command } from "commander";
import { appendHandoff, buildHandoffEntry, checkHandoffLog } from "../../handoff.ts";

interface HandoffOptions {
  log: string;
  check?: boolean;
  report?: string;
  commit?: string;
  repoCommit?: string;
  role?: string;
  status?: string;
  context?: string;
  actionType?: string;
  operatorRequired?: string;
  executor?: string;
  evidence?: string[];
  jobId?: string;
  summary?: string;
  json?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `hut handoff --log <file> [--report <ws2 report>] --role … --summary …`: appends one validated
 * handoff line (exit 2 naming the flag when a field is invalid, nothing written);
 * `hut handoff --log <file> --check`: exit 0 when every entry of the log is valid, 1 otherwise.
 */
export function registerHandoff(program: Command, setExit: (code: number) => void) {
  program
    .command("handoff")
    .description("append a validated line to a role repository's handoff log, or check the log")
    .requiredOption("--log <file>", "the handoff log (documentation/coordination/handoff_log.md)")
    .option("--check", "validate every entry of the log instead of appending")
    .option("--report <file>", "a ws2.report.v1 that fills role, status, commit, job id, summary and evidence")
    .option("--commit <sha>", 'commit SHA the handoff refers to, or "none"')
    .option("--repo-commit <sha>", "commit used when neither --commit nor the report names one (the role repository's HEAD)")
    .option("--role <role>", "arch | infra | runner")
    .option("--status <status>", "in_progress | blocked | done | failed | cancelled")
    .option("--context <context>", "arch-local | infra-live | runner-live")
    .option("--action-type <type>", "scaffold | delegate | execute | replan")
    .option("--operator-required <yes|no>", "whether an operator must act")
    .option("--executor <executor>", "remote_codex | ssh_direct")
    .option("--evidence <pointer>", "evidence path or https URL (repeatable)", collect)
    .option("--job-id <id>", "the ws2 job id")
    .option("--summary <text>", "one-line summary and next step")
    .option("--json", "print the result as JSON")
    .action((o: HandoffOptions) => {
      if (o.check) {
        const r = checkHandoffLog(o.log);
        if (o.json) process.stdout.write(`${JSON.stringify({ log: o.log, ...r })}\n`);
        else for (const p of r.problems) process.stderr.write(`hut handoff: ${o.log}: ${p}\n`);
        setExit(r.problems.length === 0 ? 0 : 1);
        return;
      }
      const entry = buildHandoffEntry(
        {
          commit_sha: o.commit,
          role: o.role,
          status: o.status,
          context: o.context,
          action_type: o.actionType,
          operator_required: o.operatorRequired,
          executor: o.executor,
          evidence: o.evidence,
          job_id: o.jobId,
          summary: o.summary,
        },
        o.report,
        o.repoCommit,
      );
      const line = appendHandoff(o.log, entry);
      process.stdout.write(o.json ? `${JSON.stringify({ log: o.log, entry })}\n` : `${line}\n`);
      setExit(0);
    });
}
