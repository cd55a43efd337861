import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, type PlanResource } from "./run.ts";

export interface Violation {
  policy: string;
  enforcementLevel: string;
  urn?: string;
  message: string;
}

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

/** Evaluates the project's policy pack (policies/engine.ts) on every resource and the stack. */
export async function evaluatePolicies(resources: PlanResource[], policyConfig: Record<string, unknown> | undefined): Promise<Violation[] | undefined> {
  const enginePath = join(ROOT, "policies", "engine.ts");
  if (!existsSync(enginePath)) return undefined;
  const engine = (await import(enginePath)) as {
    evaluatePack(input: { resources: PlanResource[]; policyConfig?: Record<string, unknown> }): Promise<Violation[]>;
  };
  return engine.evaluatePack({ resources, policyConfig });
}
