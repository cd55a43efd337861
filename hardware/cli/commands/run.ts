import { renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { runJob } from "../../jobs.ts";
import { shutdownSignal } from "../shutdown.ts";

/** `hut run --invocation <file> [--report <file>]`: exit 0 only when the report says success. */
export function registerRun(program: Command, setExit: (code: number) => void) {
  program
    .command("run")
    .description("execute a ws2 invocation and write its ws2 report")
    .requiredOption("--invocation <file>", "ws2.invocation.v1 document (JSON/YAML, - for stdin)")
    .option("--report <file>", "write the ws2.report.v1 here (default: print it on stdout)")
    .action(async (opts: { invocation: string; report?: string }) => {
      const { report, exitCode } = await runJob({
        invocationFile: opts.invocation,
        signal: shutdownSignal,
        log: (text) => process.stderr.write(text),
      });
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (opts.report) {
        const tmp = `${opts.report}.${process.pid}.tmp`;
        writeFileSync(tmp, json, { mode: 0o644 });
        renameSync(tmp, opts.report);
      } else process.stdout.write(json);
      process.stderr.write(`job ${report.job_id}: ${report.status} (exit_code ${report.exit_code}): ${report.human_summary}\n`);
      setExit(exitCode);
    });
}
