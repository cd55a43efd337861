import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ParsedWorkflow, WorkflowJob } from "../../components/github/workflow.ts";
import type { Finding } from "./rules.ts";

/**
 * The rule `hardware-deploys-in-mesh` (docs/governance.md): a job that runs `pulumi up` (or
 * refresh/destroy) for a stack with HUT slots or LXD runner hosts must run on a self-hosted runner
 * inside the WireGuard mesh (`runs-on: [self-hosted, labfleet-mesh]`): the stack's actions reach
 * the runner hosts at their mesh addresses, which a GitHub-hosted runner cannot.
 */

export const MESH_LABELS = ["self-hosted", "labfleet-mesh"] as const;
const DEPLOY_COMMANDS = /\bpulumi\s+(up|refresh|destroy)\b/;

/** Stacks whose `Pulumi.<stack>.yaml` declares HUT slots or LXD runner hosts. */
export function hardwareStacks(root: string): Set<string> {
  const out = new Set<string>();
  if (!existsSync(root)) return out;
  for (const f of readdirSync(root)) {
    const m = /^Pulumi\.([^.]+)\.yaml$/.exec(f);
    if (!m) continue;
    const config = ((parse(readFileSync(join(root, f), "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, { enabled?: boolean; slots?: unknown[]; runners?: unknown[] } | undefined>;
    const hut = config["labfleet:hut"];
    const lxd = config["labfleet:lxd"];
    const on = (s: typeof hut, key: "slots" | "runners") => s !== undefined && s.enabled !== false && (s[key]?.length ?? 0) > 0;
    if (on(hut, "slots") || on(lxd, "runners")) out.add(m[1]!);
  }
  return out;
}

/** The stacks a job deploys: `stack-name` of a pulumi/actions step (a literal, or `${{ matrix.<axis> }}`). */
function deployedStacks(job: WorkflowJob): string[] | undefined {
  const matrix = (job.strategy?.matrix ?? {}) as Record<string, unknown>;
  const stacks: string[] = [];
  let deploys = false;
  for (const step of job.steps) {
    const pulumiAction = step.uses?.toLowerCase().startsWith("pulumi/actions@") && ["up", "refresh", "destroy"].includes(String(step.with?.command ?? ""));
    if (!pulumiAction && !DEPLOY_COMMANDS.test(step.run ?? "")) continue;
    deploys = true;
    const name = String(step.with?.["stack-name"] ?? "");
    const axis = /^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(name)?.[1];
    if (axis && Array.isArray(matrix[axis])) stacks.push(...(matrix[axis] as unknown[]).map(String));
    else if (name) stacks.push(name);
  }
  return deploys ? stacks : undefined;
}

function runsOn(job: WorkflowJob): string[] {
  const v = (job as Record<string, unknown>)["runs-on"];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map(String);
  if (v && typeof v === "object" && Array.isArray((v as { labels?: unknown }).labels)) return ((v as { labels: unknown[] }).labels).map(String);
  return [];
}

export function meshDeployFindings(workflows: ParsedWorkflow[], root: string): Finding[] {
  const hardware = hardwareStacks(root);
  const out: Finding[] = [];
  for (const pw of workflows) {
    for (const [id, job] of Object.entries(pw.workflow.jobs)) {
      const stacks = deployedStacks(job);
      if (!stacks) continue;
      // a stack that cannot be read from the file (an expression) is judged a hardware stack
      const touching = stacks.length === 0 ? ["(unknown)"] : stacks.filter((s) => hardware.has(s) || s.includes("${{"));
      const labels = runsOn(job);
      if (touching.length === 0 || MESH_LABELS.every((l) => labels.includes(l))) continue;
      out.push({
        rule: "hardware-deploys-in-mesh",
        file: pw.file,
        job: id,
        line: pw.lineOf(["jobs", id, "runs-on"]),
        message: `deploys ${touching.join(", ")}, which has HUT slots or runner hosts, from runs-on ${JSON.stringify(labels.length === 1 ? labels[0] : labels)}: a GitHub-hosted runner cannot reach the runner hosts' mesh addresses`,
        fix: `run the job on a self-hosted runner inside the mesh: runs-on: [${MESH_LABELS.join(", ")}]`,
      });
    }
  }
  return out;
}
