import type { Policy } from "@pulumi/policy";
import { APPROVAL_RULES, computeApprovals } from "../../tools/approve/approvals.ts";
import {
  evaluate,
  type PlanResource,
  type PolicyConfigDoc,
  packVersion,
  type Violation,
} from "../../tools/plan/policy-engine.ts";
import { packEnforcementLevel, packName, policies } from "../../policies/pack.ts";

export { unknown } from "../../tools/plan/policy-engine.ts";
export type { PlanResource, Violation } from "../../tools/plan/policy-engine.ts";

/** A fixture resource as the offline plan records it. */
export function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}, stack = "staging"): PlanResource {
  return {
    urn: `urn:pulumi:${stack}::labfleet::${type}::${name}`,
    type,
    name,
    custom: !type.startsWith("labfleet:"),
    inputs,
    dependencies: [],
    protect: false,
    ignoreChanges: [],
    ...extra,
  };
}

export function policy(name: string): Policy {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** Violations of one policy (run as the only policy of the pack, like CrossGuard would). */
export async function check(name: string, resources: PlanResource[], policyConfig: PolicyConfigDoc = {}, stackTags?: Record<string, string>) {
  const out = await evaluate(
    { name: packName, version: packVersion(), enforcementLevel: packEnforcementLevel, policies: [policy(name)] },
    { resources, policyConfig, ...(stackTags ? { stackTags } : {}) },
  );
  return out.filter((v) => v.policy === name);
}

export const mandatory = (vs: Violation[]) => vs.filter((v) => v.enforcementLevel === "mandatory");
export const advisory = (vs: Violation[]) => vs.filter((v) => v.enforcementLevel === "advisory");

/** The policy config that approves exactly these resources. */
export function approving(resources: PlanResource[]): PolicyConfigDoc {
  const a = computeApprovals(resources);
  return Object.fromEntries(APPROVAL_RULES.map((r) => [r, { approvals: a[r] }]));
}

/** No violation of any kind ever carries the server's "can't run during preview" downgrade. */
export function noDowngrade(vs: Violation[]) {
  return vs.every((v) => !v.message.includes("during preview: "));
}

/** The problem part of each violation (the line after the rule description, without `. Fix: …`). */
export function problems(vs: Violation[]): string[] {
  return vs.map((v) => (v.message.split("\n")[1] ?? v.message).split(". Fix")[0] ?? "");
}
