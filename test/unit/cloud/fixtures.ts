import { type PlanResource, type StackRun, runProgram } from "../../helpers/program.ts";

/** One mock-runtime run per stack per test file (runProgram is not re-entrant). */
const runs = new Map<string, Promise<StackRun>>();
let chain: Promise<unknown> = Promise.resolve();

export function planOf(stack: "staging" | "production"): Promise<StackRun> {
  let run = runs.get(stack);
  if (!run) {
    run = chain.then(() => runProgram({ stack }));
    chain = run.catch(() => undefined);
    runs.set(stack, run);
  }
  return run;
}

export const STACKS = ["staging", "production"] as const;

export function named(run: StackRun, name: string): PlanResource {
  const found = run.resources.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
  return found[0]!;
}

export function ofType(run: StackRun, type: string): PlanResource[] {
  return run.resources.filter((r) => r.type === type);
}

/** The mock runtime's id for a resource (tools/plan/mocks.ts: `${name}-id`). */
export const mockId = (name: string) => `${name}-id`;

/** Children of the component named `component` (direct parent). */
export function childrenOf(run: StackRun, component: string): PlanResource[] {
  const parent = run.resources.find((r) => r.name === component && !r.custom);
  if (!parent) throw new Error(`no component ${component}`);
  return run.resources.filter((r) => r.parent === parent.urn);
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, unknown>;
  Condition?: Record<string, Record<string, unknown>>;
}

export function statements(policyJson: unknown): PolicyStatement[] {
  const doc = JSON.parse(String(policyJson)) as { Statement: PolicyStatement[] };
  return doc.Statement;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
