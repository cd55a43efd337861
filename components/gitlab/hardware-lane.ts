import { stringify } from "yaml";
import { shellLine } from "../../hardware/shell.ts";
import type { LaneSettings } from "../../hardware/schema/lane.ts";
import { ROLE_TIMEOUTS } from "../../hardware/schema/ws2.ts";

/**
 * The hardware lane's GitLab CI template, committed into the runner role repository as
 * `.gitlab-ci.yml` (docs/design/hardware-lane.md, "The CI template"). Pure: slots and lane
 * settings in, YAML text out. Per slot label one lane job (`hil:<label>`, tags = the label, so
 * only that slot's runner takes it) and one scheduled health job (`health:<label>`). The jobs hold
 * no logic: each runs one `hut lane` command, which does the work and writes the ws2 report and
 * the JUnit file the job keeps as artifacts.
 */

export const LANE_TEMPLATE_PATH = ".gitlab-ci.yml";
/** Where the jobs write their report and JUnit file (kept as artifacts). */
export const LANE_OUTPUT_DIR = "hut-lane";
/** Pipeline sources that pass a product SHA in (`LANE_SHA`) or are a product's own pipeline. */
const LANE_SOURCES = ["trigger", "api", "web", "pipeline", "parent_pipeline"];
const MARGIN_SEC = 300;

export interface HardwareLaneSlot {
  id: string;
  label: string;
  chip: string;
}

/** The runner repository's masked, protected CI/CD variables the lane jobs read (values: secret config). */
export const LANE_VARIABLES = {
  githubStatusToken: "LABFLEET_GITHUB_STATUS_TOKEN",
  runnerApiToken: "LABFLEET_RUNNER_API_TOKEN",
} as const;
export type LaneVariable = keyof typeof LANE_VARIABLES;

export interface HardwareLaneInput {
  slots: readonly HardwareLaneSlot[];
  /** The resolved lane settings; `knownGood` names a build for every slot's chip. */
  lane: LaneSettings;
  /** How the runner host invokes hut (`labfleet:hut.hutCommand`), split on whitespace. */
  hutCommand: string;
  stack: string;
}

/** A job timeout GitLab reads (`90m`): the lane's own limit plus the lock wait and a margin, within the runner role's limit. */
function jobTimeout(lane: LaneSettings): string {
  return `${Math.ceil(Math.min(ROLE_TIMEOUTS.runner.maxSec, lane.timeoutSeconds + lane.lockWaitSeconds + MARGIN_SEC) / 60)}m`;
}

const outputs = (kind: string) => ["--report", `${LANE_OUTPUT_DIR}/${kind}-report.json`, "--junit", `${LANE_OUTPUT_DIR}/${kind}-junit.xml`];

function artifacts(kind: string) {
  return {
    when: "always",
    expire_in: "30 days",
    paths: [`${LANE_OUTPUT_DIR}/`],
    reports: { junit: `${LANE_OUTPUT_DIR}/${kind}-junit.xml` },
  };
}

export function laneJobName(label: string): string {
  return `hil:${label}`;
}

export function healthJobName(label: string): string {
  return `health:${label}`;
}

export function renderHardwareLane(input: HardwareLaneInput): string {
  const { lane } = input;
  const hut = input.hutCommand.trim().split(/\s+/).filter(Boolean);
  const jobs: Record<string, unknown> = {};
  for (const slot of input.slots) {
    const knownGood = lane.knownGood[slot.chip];
    if (!knownGood) throw new Error(`hardware lane: no known-good build for chip ${slot.chip} (slot ${slot.id}): set labfleet:hut.lane.knownGood.${slot.chip}`);
    const context = `${lane.statusContext}/${slot.label}`;
    const before = [...hut, "lane", "run", "--slot", slot.id, "--sha"];
    const after = [
      "--repository",
      lane.productRepository,
      "--context",
      context,
      "--timeout",
      String(lane.timeoutSeconds),
      "--wait",
      String(lane.lockWaitSeconds),
      ...lane.test.flatMap((t) => ["--test", t]),
      ...outputs("lane"),
    ];
    jobs[laneJobName(slot.label)] = {
      extends: ".labfleet-lane",
      tags: [slot.label],
      variables: { HUT_SLOT: slot.id },
      // "$LANE_SHA" stays a shell expansion: the SHA arrives at run time
      script: [`${shellLine(before)} "$LANE_SHA" ${shellLine(after)}`],
    };
    const health = [...hut, "lane", "health", "--slot", slot.id, "--sha", knownGood, "--failures", String(lane.quarantine.failures), "--wait", String(lane.lockWaitSeconds), ...outputs("health")];
    jobs[healthJobName(slot.label)] = {
      extends: ".labfleet-health",
      tags: [slot.label],
      variables: { HUT_SLOT: slot.id },
      script: [shellLine(health)],
    };
  }
  const doc = {
    variables: {
      LANE_SHA: { value: "$CI_COMMIT_SHA", description: "product commit the hardware lane tests (the upstream lane passes it when it triggers this pipeline)" },
    },
    stages: ["hardware", "health"],
    ".labfleet-lane": {
      stage: "hardware",
      timeout: jobTimeout(lane),
      rules: [
        { if: '$CI_PIPELINE_SOURCE == "schedule"', when: "never" },
        { if: `$CI_PIPELINE_SOURCE =~ /^(${LANE_SOURCES.join("|")})$/` },
        { if: '$LABFLEET_LANE_ON_PUSH == "true"' },
      ],
      artifacts: artifacts("lane"),
    },
    ".labfleet-health": {
      stage: "health",
      timeout: jobTimeout(lane),
      rules: [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }],
      artifacts: artifacts("health"),
    },
    ...jobs,
  };
  const header = [
    `# The hardware lane of the labfleet stack ${input.stack}: generated from labfleet:hut (slots and lane),`,
    "# replaced on the next `pulumi up`; docs/design/hardware-lane.md in the labfleet repository.",
    "# hil:<label>: the product commit $LANE_SHA on that slot, commit status to " + lane.productRepository + ".",
    "# health:<label>: scheduled pipelines only; pauses the slot's runner after repeated failures.",
  ];
  return `${header.join("\n")}\n${stringify(doc, { lineWidth: 0 })}`;
}
