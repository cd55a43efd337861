import type { z } from "zod";
import { formatPath } from "../../hardware/schema/key-path.ts";

export interface ConfigProblem {
  /** Full key path, e.g. `labfleet:hut.slots[1].serialById`. */
  key: string;
  message: string;
}

/** Issues are parsed with `reportInput: true`, so a missing key is an issue whose input is undefined. */
function problemMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== "custom" && "input" in issue && issue.input === undefined) return "required";
  return issue.message;
}

/** Turns zod issues under a config key into one problem per offending key path. */
export function problemsFromIssues(prefix: string, issues: ReadonlyArray<z.core.$ZodIssue>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) {
        const rel = formatPath([...issue.path, k]);
        out.push({ key: join(prefix, rel), message: "unknown key" });
      }
      continue;
    }
    out.push({ key: join(prefix, formatPath(issue.path)), message: problemMessage(issue) });
  }
  return out;
}

function join(prefix: string, rel: string): string {
  if (rel === "") return prefix;
  return rel.startsWith("[") ? `${prefix}${rel}` : `${prefix}.${rel}`;
}

/**
 * A stack configuration that does not validate. Carries every problem, not just the first.
 * Raised before any resource is registered.
 */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(ConfigError.render(problems));
    this.name = "ConfigError";
    this.problems = problems;
  }
  static render(problems: ConfigProblem[]): string {
    const lines = problems.map((p) => `  ${p.key}: ${p.message}`);
    return `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
  }
}
