import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluatePack, type Violation } from "./policy-engine.ts";
import { ROOT, type PlanResource } from "./run.ts";

export type { Violation } from "./policy-engine.ts";

/** Policy config for a stack: `--policy-config`, else the committed approvals file if present. */
export function loadPolicyConfig(stack: string, path?: string): Record<string, unknown> | undefined {
  const file = path ?? join(ROOT, "policies", "approvals", `${stack}.json`);
  if (!existsSync(file)) {
    if (path) throw new Error(`--policy-config ${path}: file not found`);
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path ? "--policy-config " : ""}${file}: not valid JSON: ${(err as Error).message}`);
  }
}

/** Evaluates the project's policy pack on every resource and on the stack. */
export function evaluatePolicies(resources: PlanResource[], policyConfig: Record<string, unknown> | undefined): Promise<Violation[]> {
  return evaluatePack({ resources, policyConfig });
}
