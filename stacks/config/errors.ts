import { type ConfigProblem, renderProblems } from "../../hardware/schema/problems.ts";

/** The stack config reports zod issues the way the hut CLI does (hardware/schema/problems.ts). */
export { type ConfigProblem, problemsFromIssues } from "../../hardware/schema/problems.ts";

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
    return renderProblems(`invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"})`, problems);
  }
}
