import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";
import { LANE_TEMPLATE_PATH, renderHardwareLane } from "../../../components/gitlab/hardware-lane.ts";
import { LaneSettings } from "../../../hardware/schema/lane.ts";

/** The hardware lane's CI template (components/gitlab/hardware-lane.ts) and its config. */

const GOOD32 = "0123456789abcdef0123456789abcdef01234567";
const GOODS3 = "89abcdef0123456789abcdef0123456789abcdef";
const slots = [
  { id: "hut-01", label: "esp32-hut-01", chip: "esp32" },
  { id: "hut-02", label: "esp32s3-hut-02", chip: "esp32s3" },
];
const lane = LaneSettings.parse({
  productRepository: "example-lab/lab-node",
  test: ["pytest -q tests/hil --slot \"$HUT_SLOT\"", "echo it's done"],
  knownGood: { esp32: GOOD32, esp32s3: GOODS3 },
  quarantine: { failures: 4 },
});

type Job = { tags?: string[]; script?: string[]; extends?: string; stage?: string; rules?: { if: string; when?: string }[]; artifacts?: { reports: { junit: string } }; timeout?: string };

describe("hardware lane CI template", () => {
  const text = renderHardwareLane({ slots, lane, hutCommand: "hut", stack: "staging" });
  const doc = parse(text) as Record<string, Job> & { variables: { LANE_SHA: { value: string } }; stages: string[] };

  it("is valid YAML with one lane job and one health job per slot label, tagged with the label", () => {
    const jobs = Object.keys(doc).filter((k) => !k.startsWith(".") && !["variables", "stages"].includes(k));
    expect(jobs).toEqual(["hil:esp32-hut-01", "health:esp32-hut-01", "hil:esp32s3-hut-02", "health:esp32s3-hut-02"]);
    for (const s of slots) {
      expect(doc[`hil:${s.label}`]?.tags).toEqual([s.label]);
      expect(doc[`health:${s.label}`]?.tags).toEqual([s.label]);
    }
    expect(doc.stages).toEqual(["hardware", "health"]);
    expect(LANE_TEMPLATE_PATH).toBe(".gitlab-ci.yml");
  });

  it("each job runs one hut lane command: $LANE_SHA (default $CI_COMMIT_SHA), repository, context, tests quoted", () => {
    expect(doc.variables.LANE_SHA.value).toBe("$CI_COMMIT_SHA");
    expect(doc["hil:esp32-hut-01"]?.script).toEqual([
      'hut lane run --slot hut-01 --sha "$LANE_SHA" --repository example-lab/lab-node --context labfleet/hil/esp32-hut-01 --timeout 1800 --wait 600' +
        " --test 'pytest -q tests/hil --slot \"$HUT_SLOT\"' --test 'echo it'\\''s done' --report hut-lane/lane-report.json --junit hut-lane/lane-junit.xml",
    ]);
    expect(doc["health:esp32s3-hut-02"]?.script).toEqual([
      `hut lane health --slot hut-02 --sha ${GOODS3} --failures 4 --wait 600 --report hut-lane/health-report.json --junit hut-lane/health-junit.xml`,
    ]);
  });

  it("keeps the JUnit file as a junit report; lane jobs never on a schedule, health jobs only on one", () => {
    const laneBase = doc[".labfleet-lane"]!;
    const healthBase = doc[".labfleet-health"]!;
    expect(laneBase.artifacts?.reports.junit).toBe("hut-lane/lane-junit.xml");
    expect(healthBase.artifacts?.reports.junit).toBe("hut-lane/health-junit.xml");
    expect(laneBase.rules?.[0]).toEqual({ if: '$CI_PIPELINE_SOURCE == "schedule"', when: "never" });
    expect(healthBase.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
    expect(laneBase.timeout).toBe("45m");
    expect(doc["hil:esp32-hut-01"]?.extends).toBe(".labfleet-lane");
    expect(doc["health:esp32-hut-01"]?.extends).toBe(".labfleet-health");
  });

  it("refuses a slot whose chip has no known-good build, naming the key", () => {
    expect(() => renderHardwareLane({ slots, lane: { ...lane, knownGood: { esp32: GOOD32 } }, hutCommand: "hut", stack: "s" })).toThrow(
      /labfleet:hut.lane.knownGood.esp32s3/,
    );
  });
});

describe("labfleet:hut.lane config", () => {
  const slot = { id: "hut-01", label: "esp32-hut-01", runner: "local", serialById: "/dev/serial/by-id/usb-a", relay: { entity: "switch.hut_01" } };
  const problems = (values: Record<string, unknown>) => {
    try {
      parseStackConfig({ values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.stringify(v)])), secretKeys: new Set() }, "local");
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.problems.map((p) => `${p.key}: ${p.message}`);
    }
  };

  it("needs a known-good build per slot chip (or a full firmware commitSha) and the gitlab section", () => {
    expect(problems({ hut: { slots: [slot], lane: { productRepository: "example-lab/lab-node" } } })).toEqual([
      "labfleet:hut.lane.knownGood: has no build for chip esp32 (slot hut-01, slots[0]); set knownGood.esp32 or a full firmware.esp32.commitSha",
    ]);
    // a full firmware commitSha is the chip's known-good build; the lane still needs gitlab
    const firmware = { esp32: { path: "/srv/fw.bin", sha256: "a".repeat(64), commitSha: GOOD32 } };
    expect(problems({ hut: { slots: [slot], firmware, lane: { productRepository: "example-lab/lab-node" } } })).toEqual([
      "labfleet:hut.lane: needs the labfleet:gitlab section (its CI template goes into the runner role repository)",
    ]);
    expect(problems({ hut: { slots: [slot], lane: { productRepository: "nope" } } })).toContain(
      "labfleet:hut.lane.productRepository: must be owner/name of a GitHub repository",
    );
  });
});
