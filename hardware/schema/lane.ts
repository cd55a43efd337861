import { z } from "zod";
import { CommitSha } from "./artifacts.ts";
import { ChipName } from "./inventory.ts";
import { ROLE_TIMEOUTS, RunnerJobSeconds } from "./ws2.ts";

/**
 * The hardware lane's settings (docs/design/hardware-lane.md): one schema for the stack's
 * `labfleet:hut.lane` section (which renders the runner repository's CI template) and the flags of
 * `hut lane run` / `hut lane health` (which the template passes).
 */


/** `owner/name` of a GitHub repository. */
export const GithubRepository = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name of a GitHub repository");

/** A commit status context: GitHub compares it case-insensitively; `/<slot label>` is appended per slot. */
export const StatusContext = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "must be letters, digits, dot, dash, underscore or slash")
  .max(200);

export const QuarantineSettings = z.strictObject({
  failures: z.number().int().min(1).max(100).default(3).describe("consecutive failed health checks after which the slot's CI runner is paused"),
});

export const LaneSettings = z.strictObject({
  productRepository: GithubRepository.describe("GitHub repository (owner/name) whose commits the lane tests; it gets the commit statuses"),
  statusContext: StatusContext.default("labfleet/hil").describe("commit status context prefix; each slot's status is <prefix>/<slot label>"),
  test: z
    .array(z.string().trim().min(1, "must not be empty"))
    .default([])
    .describe("shell commands run after a good flash and boot check (env HUT_SLOT, HUT_FIRMWARE, LABFLEET_COMMIT_SHA), in order, stopping at the first failure"),
  timeoutSeconds: RunnerJobSeconds.default(ROLE_TIMEOUTS.runner.defaultSec)
    .describe("time limit of one lane run (fetch, flash, boot check, tests)"),
  lockWaitSeconds: z.number().int().min(0).max(3600).default(600).describe("how long a lane job waits for a busy slot before failing (exit 75)"),
  knownGood: z
    .record(ChipName, CommitSha)
    .default({})
    .describe("known-good build per chip (upstream commit SHA) that the scheduled health job flashes"),
  quarantine: QuarantineSettings.prefault({}).describe("slot quarantine by the scheduled health job"),
  healthCron: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4}$/, "must be a cron expression of five fields (minute hour day-of-month month day-of-week), e.g. '0 * * * *'")
    .default("0 * * * *")
    .describe("when the runner repository's pipeline schedule runs every slot's health job (cron, five fields)"),
  healthCronTimezone: z.string().min(1).default("UTC").describe("time zone of healthCron (an IANA name GitLab knows, e.g. UTC, Europe/Berlin)"),
});
export type LaneSettings = z.output<typeof LaneSettings>;
