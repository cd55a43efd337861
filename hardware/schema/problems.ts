import type { z } from "zod";
import { formatPath } from "./key-path.ts";

/**
 * How a zod validation failure reads in every configuration a user writes: the `hut` CLI's
 * inventory and ws2 invocation files and the stack's Pulumi config. One problem per offending
 * key path, every problem at once.
 */

export interface ConfigProblem {
  /** Full key path, e.g. `labfleet:hut.slots[1].serialById` (empty: the document's root). */
  key: string;
  message: string;
}

/** Issues are parsed with `reportInput: true`, so a missing key is an issue whose input is undefined. */
function problemMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== "custom" && "input" in issue && issue.input === undefined) return "required";
  return issue.message;
}

/** Turns zod issues under `prefix` into one problem per offending key path (each unknown key its own). */
export function problemsFromIssues(prefix: string, issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) out.push({ key: formatPath([...issue.path, k], prefix), message: "unknown key" });
      continue;
    }
    out.push({ key: formatPath(issue.path, prefix), message: problemMessage(issue) });
  }
  return out;
}

/** `<title>:` then one `  <key>: <message>` line per problem. */
export function renderProblems(title: string, problems: ReadonlyArray<ConfigProblem>): string {
  const lines = problems.map((p) => `  ${p.key || "(root)"}: ${p.message}`);
  return `${title}:\n${lines.join("\n")}`;
}
