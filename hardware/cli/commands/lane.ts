import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { z } from "zod";
import { writeFileAtomic } from "../../atomic-file.ts";
import { UsageError } from "../../errors.ts";
import { loadInventory, findSlot } from "../../inventory.ts";
import { DEFAULT_GITHUB_API, STATUS_TOKEN_ENV, githubStatusPublisher } from "../../lane/commit-status.ts";
import { runHealth } from "../../lane/health.ts";
import { type LaneJobResult, laneJunit } from "../../lane/job.ts";
import { runLane } from "../../lane/run.ts";
import { inventoryPath } from "../../lane/steps.ts";
import type { InventoryConfig, SlotConfig } from "../../schema/inventory.ts";
import { CommitSha } from "../../schema/artifacts.ts";
import { GithubRepository, LaneSettings, StatusContext } from "../../schema/lane.ts";
import { intInRange, inventoryOption, nonNegativeNumber, slotOption } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

/**
 * `hut lane run` and `hut lane health` (docs/runbooks/hut.md, "Hardware lane"; design in
 * docs/design/hardware-lane.md). Exit codes: 0 the lane passed (and its commit status was
 * published) · 1 it failed, or a status/runner update failed · 2 bad flag or inventory · 75 the slot
 * stayed busy for --wait.
 */

function zodArg<T>(schema: z.ZodType<T>) {
  return (value: string): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new InvalidArgumentError(r.error.issues[0]?.message ?? "invalid");
    return r.data;
  };
}

const DEFAULTS = LaneSettings.parse({ productRepository: "x/y" });

interface Common {
  inventory?: string;
  slot: string;
  sha: string;
  timeout: number;
  wait: number;
  report?: string;
  junit?: string;
  json?: boolean;
}

function commonOptions(cmd: Command, shaHelp: string): Command {
  return cmd
    .addOption(slotOption())
    .requiredOption("--sha <commit>", shaHelp, zodArg(CommitSha))
    .option("--timeout <s>", "time limit of the whole job", intInRange(1, 14400), DEFAULTS.timeoutSeconds)
    .option("--wait <s>", "seconds to wait for a busy slot, then exit 75", nonNegativeNumber, DEFAULTS.lockWaitSeconds)
    .option("--report <file>", "write the ws2.report.v1 here")
    .option("--junit <file>", "write the JUnit XML here")
    .option("--json", "print the result as JSON")
    .addOption(inventoryOption());
}

function writeOutputs(o: Common, suite: string, job: LaneJobResult, extra: Record<string, unknown>): void {
  for (const file of [o.report, o.junit]) if (file) mkdirSync(dirname(file), { recursive: true });
  if (o.report) writeFileAtomic(o.report, `${JSON.stringify(job.report, null, 2)}\n`);
  if (o.junit) writeFileAtomic(o.junit, laneJunit(suite, job));
  const summary = { slot: job.report.slot_id, sha: o.sha, status: job.report.status, ...extra, summary: job.report.human_summary, report: job.report };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`${job.report.slot_id}: ${job.report.status}: ${job.report.human_summary}\n`);
}

/** The slot, its inventory, and the steps' environment (they read the same inventory file). */
function slotAndEnv(o: Common): { slot: SlotConfig; inventory: InventoryConfig; env: NodeJS.ProcessEnv } {
  const file = inventoryPath(o.inventory);
  const inventory = loadInventory(file);
  return { slot: findSlot(inventory, o.slot), inventory, env: { ...process.env, HUT_INVENTORY: file } };
}

export function registerLane(program: Command, setExit: (code: number) => void) {
  const lane = program.command("lane").description("the hardware lane: test a commit's upstream build on a slot; slot health and quarantine");

  const run = lane
    .command("run")
    .description("fetch the commit's build, flash, boot check, run the tests; ws2 report, JUnit and a commit status")
    .option("--repository <owner/name>", `GitHub repository that gets the commit status (token: ${STATUS_TOKEN_ENV})`, zodArg(GithubRepository))
    .option("--context <context>", "commit status context (default labfleet/hil/<slot label>)", zodArg(StatusContext))
    .option("--test <command>", "a shell command run after a good flash and boot check (repeatable, in order)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--github-api-url <url>", "GitHub REST base URL (default $GITHUB_API_URL, else https://api.github.com)");
  commonOptions(run, "upstream commit whose build is tested (e.g. $CI_COMMIT_SHA)").action(
    async (o: Common & { repository?: string; context?: string; test: string[]; githubApiUrl?: string }) => {
      const { slot, env } = slotAndEnv(o);
      let status: ReturnType<typeof githubStatusPublisher> | undefined;
      if (o.repository) {
        const token = env[STATUS_TOKEN_ENV];
        if (!token) throw new UsageError(`${STATUS_TOKEN_ENV}: required in the environment with --repository (a masked CI variable)`);
        status = githubStatusPublisher(
          { repository: o.repository, sha: o.sha, context: o.context ?? `${DEFAULTS.statusContext}/${slot.label}`, targetUrl: env.CI_JOB_URL || undefined },
          { token, apiUrl: o.githubApiUrl ?? (env.GITHUB_API_URL || DEFAULT_GITHUB_API) },
        );
      }
      const r = await runLane({
        slot,
        sha: o.sha,
        test: o.test,
        timeoutSec: o.timeout,
        waitSec: o.wait,
        workdir: process.cwd(),
        env,
        status,
        signal: shutdownSignal,
        log: (text) => process.stderr.write(text),
      });
      writeOutputs(o, `${DEFAULTS.statusContext}/${slot.label}`, r, { commit_state: r.state, ...(r.statusError ? { status_error: r.statusError } : {}) });
      setExit(r.state === "success" && !r.statusError ? 0 : 1);
    },
  );

  const health = lane
    .command("health")
    .description("power-cycle, flash the known-good build, boot check; pause the slot's runner after N failures in a row, resume it on a pass")
    .option("--failures <n>", "consecutive failed checks that quarantine the slot", intInRange(1, 100), DEFAULTS.quarantine.failures)
    .option("--runner-id <id>", "the slot's GitLab runner (default $CI_RUNNER_ID, else the one the quarantine recorded)", intInRange(1, Number.MAX_SAFE_INTEGER))
    .option("--gitlab-url <url>", "GitLab base URL (default $CI_SERVER_URL, else the recorded one)")
    .addOption(new Option("--no-power-cycle", "skip the power-cycle even when Home Assistant is configured"));
  commonOptions(health, "commit of the known-good build").action(
    async (o: Common & { failures: number; runnerId?: number; gitlabUrl?: string; powerCycle: boolean }) => {
      const { slot, inventory, env } = slotAndEnv(o);
      const r = await runHealth({
        slot,
        sha: o.sha,
        failuresBeforePause: o.failures,
        powerCycle: o.powerCycle && Boolean(env.HA_URL || inventory.homeAssistant),
        runnerId: o.runnerId,
        gitlabUrl: o.gitlabUrl,
        timeoutSec: o.timeout,
        waitSec: o.wait,
        workdir: process.cwd(),
        env,
        signal: shutdownSignal,
        log: (text) => process.stderr.write(text),
      });
      writeOutputs(o, `labfleet/health/${slot.label}`, r, {
        quarantine: { consecutive_failures: r.state.consecutive_failures, paused: r.state.paused, decision: r.decision, ...(r.runnerError ? { error: r.runnerError } : {}) },
      });
      setExit(r.passed && !r.runnerError ? 0 : 1);
    },
  );
}
