import { writeFileAtomic } from "../../atomic-file.ts";
import { type Command, Option } from "commander";
import { runJob } from "../../jobs.ts";
import { Lane } from "../../schema/ws2.ts";
import { shutdownSignal } from "../shutdown.ts";

/**
 * `hut run --invocation <file> [--report <file>] [--lane upstream|local-hil] [--slot <id>]`: exit 0
 * only when the report says success. `--lane` / `--slot` mark a hardware job: the report carries
 * them as `lane` / `slot_id` (the invocation contract stays as it is).
 */
export function registerRun(program: Command, setExit: (code: number) => void) {
  program
    .command("run")
    .description("execute a ws2 invocation and write its ws2 report")
    .requiredOption("--invocation <file>", "ws2.invocation.v1 document (JSON/YAML, - for stdin)")
    .option("--report <file>", "write the ws2.report.v1 here (default: print it on stdout)")
    .addOption(new Option("--lane <lane>", "the CI lane of a hardware job (report field lane)").choices(Lane.options))
    .option("--slot <id>", "the slot a hardware job runs on (report field slot_id)")
    .action(async (opts: { invocation: string; report?: string; lane?: Lane; slot?: string }) => {
      const { report, exitCode } = await runJob({
        invocationFile: opts.invocation,
        hardware: { lane: opts.lane, slotId: opts.slot },
        signal: shutdownSignal,
        log: (text) => process.stderr.write(text),
      });
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (opts.report) writeFileAtomic(opts.report, json);
      else process.stdout.write(json);
      process.stderr.write(`job ${report.job_id}: ${report.status} (exit_code ${report.exit_code}): ${report.human_summary}\n`);
      setExit(exitCode);
    });
}
