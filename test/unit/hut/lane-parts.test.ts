import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { DESCRIPTION_MAX, shortDescription } from "../../../hardware/lane/commit-status.ts";
import { junitXml, xmlEscape } from "../../../hardware/lane/junit.ts";
import { nextState } from "../../../hardware/lane/quarantine.ts";
import { reportFields } from "../../../hardware/job-results.ts";

/** The hardware lane's pure parts: JUnit writer, status description, quarantine counting, report fields. */

describe("JUnit writer", () => {
  it("escapes markup and replaces characters XML 1.0 forbids (serial noise), so the file always parses", () => {
    expect(xmlEscape(`a<b>&"c'\u0000\u001b[0m\uFFFE`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;\uFFFD\uFFFD[0m\uFFFD");
    const text = junitXml({
      name: "labfleet/hil/esp32-hut-01",
      timestamp: "2026-01-01T00:00:00.000Z",
      timeSec: 12.5,
      cases: [
        { name: "fetch", classname: "s", outcome: { kind: "passed" }, output: "ok\u0007" },
        { name: "flash <1>", classname: "s", outcome: { kind: "failure", message: 'boot "timeout"' } },
        { name: "test", classname: "s", outcome: { kind: "skipped", message: "not run" } },
        { name: "infra", classname: "s", outcome: { kind: "error", message: "no build" } },
      ],
    });
    expect(XMLValidator.validate(text)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(text);
    expect(doc.testsuites).toMatchObject({ tests: "4", failures: "1", errors: "1", skipped: "1", time: "12.500" });
    expect(doc.testsuites.testsuite.testcase[1]).toMatchObject({ name: "flash <1>", failure: { message: 'boot "timeout"' } });
  });
});

describe("commit status description", () => {
  it("is one line of at most GitHub's 140 characters", () => {
    expect(shortDescription("a\n  b")).toBe("a b");
    const long = shortDescription("x".repeat(500));
    expect(long).toHaveLength(DESCRIPTION_MAX);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("quarantine counting", () => {
  const s0 = { slot: "hut-01", consecutive_failures: 0, paused: false };
  it("pauses at the Nth consecutive failure only once; a pass resets and resumes a paused slot", () => {
    const a = nextState(s0, false, 2);
    expect([a.state.consecutive_failures, a.decision]).toEqual([1, "none"]);
    const b = nextState(a.state, false, 2);
    expect([b.state.consecutive_failures, b.decision]).toEqual([2, "pause"]);
    const c = nextState({ ...b.state, paused: true, reason: "x" }, false, 2);
    expect([c.state.consecutive_failures, c.decision]).toEqual([3, "none"]);
    const d = nextState(c.state, true, 2);
    expect(d).toEqual({ state: { slot: "hut-01", consecutive_failures: 0, paused: false }, decision: "resume" });
    expect(nextState(s0, true, 2).decision).toBe("none");
  });
});

describe("ws2 hardware report fields", () => {
  it("counts power-cycles and the retries that recovered the relay", () => {
    expect(
      reportFields([
        { kind: "power-cycle", slot: "hut-01", status: "ok", attempts: 3 },
        { kind: "power-cycle", slot: "hut-01", status: "ok", attempts: 1 },
      ]),
    ).toEqual({ slot_id: "hut-01", power_cycles: 2, recovery_events: 2 });
  });
});
