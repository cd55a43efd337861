/**
 * A JUnit XML writer for the hardware lane's results (GitLab's `artifacts:reports:junit` reads
 * `testsuites > testsuite > testcase` with `failure`, `error`, `skipped` and `system-out`). The
 * format needs three elements and attribute/text escaping, so this is a small typed writer rather
 * than a dependency (docs/design/hardware-lane.md, "JUnit"). Serial and tool output may carry
 * control characters XML 1.0 forbids; they are replaced, never passed through.
 */

export type CaseOutcome = { kind: "passed" } | { kind: "failure" | "error"; message: string; detail?: string } | { kind: "skipped"; message: string };

export interface JunitCase {
  name: string;
  classname: string;
  timeSec?: number;
  outcome: CaseOutcome;
  output?: string;
}

export interface JunitSuite {
  name: string;
  timestamp: string;
  timeSec: number;
  hostname?: string;
  cases: JunitCase[];
}

// Characters outside XML 1.0's Char production (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/F).
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for an attribute value or element content. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const attrs = (a: Record<string, string | number | undefined>) =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");

function caseXml(c: JunitCase): string {
  const open = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.timeSec?.toFixed(3) })}`;
  const inner: string[] = [];
  const o = c.outcome;
  if (o.kind === "failure" || o.kind === "error") inner.push(`      <${o.kind}${attrs({ message: o.message })}>${xmlEscape(o.detail ?? o.message)}</${o.kind}>`);
  if (o.kind === "skipped") inner.push(`      <skipped${attrs({ message: o.message })}/>`);
  if (c.output) inner.push(`      <system-out>${xmlEscape(c.output)}</system-out>`);
  return inner.length === 0 ? `${open}/>` : `${open}>\n${inner.join("\n")}\n    </testcase>`;
}

export function junitXml(suite: JunitSuite): string {
  const count = (k: CaseOutcome["kind"]) => suite.cases.filter((c) => c.outcome.kind === k).length;
  const totals = { tests: suite.cases.length, failures: count("failure"), errors: count("error"), skipped: count("skipped"), time: suite.timeSec.toFixed(3) };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: suite.name, ...totals })}>`,
    `  <testsuite${attrs({ name: suite.name, ...totals, timestamp: suite.timestamp, hostname: suite.hostname })}>`,
    ...suite.cases.map(caseXml),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
