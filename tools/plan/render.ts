import type { Violation } from "./policy.ts";
import type { PlanResource, StackRun } from "./run.ts";

export interface PlanDocument {
  project: string;
  stack: string;
  resources: { urn: string; type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[];
  outputs: unknown;
  violations: Violation[];
  summary: { resources: number; byType: Record<string, number> };
}

export function byType(resources: PlanResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The `--json` document of the plan contract; inputs and outputs carry no secret value. */
export function planDocument(run: StackRun, violations: Violation[]): PlanDocument {
  return {
    project: run.project,
    stack: run.stack,
    resources: run.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.redactedInputs })),
    outputs: run.outputs.redacted,
    violations,
    summary: { resources: run.resources.length, byType: byType(run.resources) },
  };
}

const LEVELS = ["mandatory", "remediate", "advisory"] as const;

export function renderHuman(run: StackRun, violations: Violation[]): string {
  const out: string[] = [`Plan: ${run.project}/${run.stack} (offline: Pulumi mock runtime, no credentials)`, ""];
  const children = new Map<string | undefined, PlanResource[]>();
  const urns = new Set(run.resources.map((r) => r.urn));
  for (const r of run.resources) {
    const key = r.parent && urns.has(r.parent) ? r.parent : undefined;
    children.set(key, [...(children.get(key) ?? []), r]);
  }
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [r.protect ? "protected" : "", r.secretPaths.length ? `secret: ${r.secretPaths.join(", ")}` : ""].filter(Boolean);
      out.push(`${"  ".repeat(depth)}+ ${r.type}  ${r.name}${flags.length ? `  [${flags.join("; ")}]` : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  out.push("", `Outputs:`);
  for (const [k, v] of Object.entries((run.outputs.redacted ?? {}) as Record<string, unknown>)) {
    out.push(`  ${k}: ${JSON.stringify(v)}`);
  }
  out.push("", `Summary: ${run.resources.length} resources`);
  for (const [t, n] of Object.entries(byType(run.resources))) out.push(`  ${String(n).padStart(4)}  ${t}`);
  out.push("");
  if (violations.length === 0) {
    out.push("Policies: no violations");
  } else {
    out.push(`Policies: ${violations.length} violation${violations.length === 1 ? "" : "s"}`);
    const levels = [...LEVELS, ...new Set(violations.map((v) => v.enforcementLevel).filter((l) => !(LEVELS as readonly string[]).includes(l)))];
    for (const level of levels) {
      const group = violations.filter((v) => v.enforcementLevel === level);
      if (group.length === 0) continue;
      out.push(`  ${level} (${group.length}):`);
      for (const v of group) {
        out.push(`    [${v.policy}] ${v.urn ?? "(stack)"}`);
        out.push(`      ${v.message.replace(/\n/g, "\n      ")}`);
      }
    }
  }
  return `${out.join("\n")}\n`;
}
