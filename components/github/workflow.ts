import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

/**
 * A GitHub Actions workflow file as labfleet reads it: the shape (zod) plus the line of every key,
 * so the branch protection (its required checks) and the workflow rules (tools/workflows/) judge
 * one parse of the same file.
 */

export const PermissionLevel = z.enum(["read", "write", "none"]);
export type PermissionLevel = z.infer<typeof PermissionLevel>;
export const Permissions = z.union([z.enum(["read-all", "write-all"]), z.record(z.string(), PermissionLevel)]);
export type Permissions = z.infer<typeof Permissions>;

const Step = z.looseObject({
  name: z.string().optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
});

const Job = z.looseObject({
  name: z.string().optional(),
  permissions: Permissions.optional(),
  uses: z.string().optional(),
  steps: z.array(Step).default([]),
  strategy: z.looseObject({ matrix: z.unknown().optional() }).optional(),
});
export type WorkflowJob = z.output<typeof Job>;

const Triggers = z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]);

export const WorkflowSchema = z.looseObject({
  name: z.string().optional(),
  on: Triggers,
  permissions: Permissions.optional(),
  jobs: z.record(z.string(), Job),
});
export type Workflow = z.output<typeof WorkflowSchema>;

export interface ParsedWorkflow {
  file: string;
  workflow: Workflow;
  /** 1-based line of the key at `path` (or of the nearest enclosing key that exists) */
  lineOf(path: (string | number)[]): number;
  /** 1-based first and last line of the value at `path` */
  linesOf(path: (string | number)[]): { first: number; last: number };
  /** the file's text */
  text: string;
}

export class WorkflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkflowError";
  }
}

/** Parses and validates a workflow; errors name the file, the key path and the line. */
export function parseWorkflow(file: string, text: string): ParsedWorkflow {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new WorkflowError(`${file}:${counter.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const line = (offset: number) => counter.linePos(offset).line;
  /** the key range and value node along `path` (stops at the last segment that exists) */
  const walk = (path: (string | number)[]) => {
    let node: unknown = doc.contents;
    let at = 1;
    let end = 1;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        const key = pair.key as { range?: [number, number, number] };
        if (key.range) at = line(key.range[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg];
        const r = (node as { range?: [number, number, number] }).range;
        if (r) at = line(r[0]);
      } else break;
      const r = (node as { range?: [number, number, number] } | null)?.range;
      end = r ? line(Math.max(r[0], r[1] - 1)) : at;
    }
    return { first: at, last: Math.max(at, end) };
  };
  const parsed = WorkflowSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    throw new WorkflowError(`${file}:${walk(path).first}: ${path.join(".") || "(document)"}: ${issue.message}`);
  }
  return { file, workflow: parsed.data, text, lineOf: (p) => walk(p).first, linesOf: walk };
}

/** The workflow's triggers as event → filter (null when the event has no filter). */
export function triggersOf(wf: Workflow): Record<string, unknown> {
  if (typeof wf.on === "string") return { [wf.on]: null };
  if (Array.isArray(wf.on)) return Object.fromEntries(wf.on.map((e) => [e, null]));
  return Object.fromEntries(Object.entries(wf.on).map(([k, v]) => [k, v ?? null]));
}

/** Matrix combinations of a job's plain (non-expression) `strategy.matrix` axes, in file order. */
function matrixCombinations(job: WorkflowJob): string[][] {
  const m = job.strategy?.matrix;
  if (!m || typeof m !== "object" || Array.isArray(m)) return [[]];
  const axes = Object.entries(m as Record<string, unknown>).filter(([k, v]) => k !== "include" && k !== "exclude" && Array.isArray(v));
  return axes.reduce<string[][]>((acc, [, values]) => acc.flatMap((c) => (values as unknown[]).map((v) => [...c, String(v)])), [[]]);
}

/**
 * The status-check contexts a workflow's jobs report on a pull request: the job's `name` (else its
 * id), with GitHub's ` (a, b)` suffix per matrix combination.
 */
export function statusChecksOf(pw: ParsedWorkflow): string[] {
  const out: string[] = [];
  for (const [id, job] of Object.entries(pw.workflow.jobs)) {
    const base = job.name ?? id;
    if (base.includes("${{")) {
      throw new WorkflowError(`${pw.file}:${pw.lineOf(["jobs", id, "name"])}: job ${id}: its name is an expression, so its status check cannot be derived; set branchProtection.requiredChecks`);
    }
    for (const combo of matrixCombinations(job)) out.push(combo.length > 0 ? `${base} (${combo.join(", ")})` : base);
  }
  return out;
}

/** Reads and parses `<root>/<file>`; the error names the file when it cannot be read. */
export function loadWorkflow(root: string, file: string): ParsedWorkflow {
  let text: string;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch (err) {
    throw new WorkflowError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseWorkflow(file, text);
}
