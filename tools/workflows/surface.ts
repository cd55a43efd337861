import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { loadWorkflow, type ParsedWorkflow, PermissionLevel, triggersOf } from "../../components/github/workflow.ts";
import { effectivePermissions, type Finding, levelOf, rank, WORKFLOW_LEVEL } from "./rules.ts";

/**
 * The repository's change surface that needs approval like IAM does: each workflow's triggers and
 * each job's effective token permissions, and the dependency names of the package manifests.
 * `npm run approve -- --repository` records it in policies/approvals/repository.json
 * (CODEOWNERS-guarded); `npm run workflows` fails when the working tree widens it: a new workflow,
 * a new or changed trigger, a job whose token may do more, a new dependency. Narrowing needs no
 * approval (re-approving records it).
 */

export const WORKFLOWS_DIR = ".github/workflows";
export const MANIFESTS = ["package.json", "policies/package.json"];
export const REPOSITORY_APPROVALS = join("policies", "approvals", "repository.json");
export const APPROVE_REPOSITORY = "npm run approve -- --repository";

export const RepositorySurface = z.strictObject({
  workflows: z.record(
    z.string(),
    z.strictObject({
      triggers: z.record(z.string(), z.unknown()).describe("event → filter as written (null: no filter)"),
      permissions: z.record(z.string(), z.record(z.string(), PermissionLevel)).describe("job → effective token permissions (`*`: every scope)"),
    }),
  ),
  dependencies: z.record(z.string(), z.array(z.string())).describe("manifest → dependency and devDependency names"),
});
export type RepositorySurface = z.infer<typeof RepositorySurface>;

/** The workflow files of a repository, relative to its root, sorted. */
export function workflowFiles(root: string): string[] {
  const dir = join(root, WORKFLOWS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${WORKFLOWS_DIR}/${f}`);
}

const Manifest = z.looseObject({ dependencies: z.record(z.string(), z.string()).default({}), devDependencies: z.record(z.string(), z.string()).default({}) });

function dependencyNames(root: string, file: string): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(root, file), "utf8"));
  } catch (err) {
    throw new Error(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: dependencies/devDependencies must map names to versions`);
  return [...new Set([...Object.keys(parsed.data.dependencies), ...Object.keys(parsed.data.devDependencies)])].sort();
}

export function surfaceOf(workflows: ParsedWorkflow[], root: string): RepositorySurface {
  const out: RepositorySurface = { workflows: {}, dependencies: {} };
  for (const pw of workflows) {
    const wf = pw.workflow;
    out.workflows[pw.file] = {
      triggers: triggersOf(wf),
      permissions: Object.fromEntries(Object.entries(wf.jobs).map(([id, job]) => [id, effectivePermissions(wf, job)])),
    };
  }
  for (const m of MANIFESTS) if (existsSync(join(root, m))) out.dependencies[m] = dependencyNames(root, m);
  return out;
}

export function loadWorkflows(root: string): ParsedWorkflow[] {
  return workflowFiles(root).map((f) => loadWorkflow(root, f));
}

export function readRepositoryApprovals(path: string): RepositorySurface | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = RepositorySurface.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${path}: ${i?.path.join(".")}: ${i?.message}`);
  }
  return parsed.data;
}

const canonical = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Where the current surface goes beyond the approved one. */
export function widenings(current: RepositorySurface, approved: RepositorySurface | undefined, workflows: ParsedWorkflow[], root: string): Finding[] {
  const out: Finding[] = [];
  const fix = `review the change, run \`${APPROVE_REPOSITORY}\` and commit ${REPOSITORY_APPROVALS} for CODEOWNERS review`;
  const add = (file: string, job: string, line: number, message: string) => out.push({ rule: "workflow-approval", file, job, line, message, fix });
  for (const [file, wf] of Object.entries(current.workflows)) {
    const pw = workflows.find((w) => w.file === file);
    const line = (path: (string | number)[]) => pw?.lineOf(path) ?? 1;
    const ok = approved?.workflows[file];
    if (!ok) {
      add(file, WORKFLOW_LEVEL, 1, "is a new workflow without an approval");
      continue;
    }
    for (const [event, filter] of Object.entries(wf.triggers)) {
      if (!(event in ok.triggers)) add(file, WORKFLOW_LEVEL, line(["on", event]), `adds the trigger ${event} since its approval`);
      else if (canonical(filter) !== canonical(ok.triggers[event])) add(file, WORKFLOW_LEVEL, line(["on", event]), `changes the ${event} trigger's filter since its approval`);
    }
    for (const [job, perms] of Object.entries(wf.permissions)) {
      const before = ok.permissions[job] ?? {};
      const scopes = new Set([...Object.keys(perms), ...Object.keys(before), "*"]);
      for (const scope of [...scopes].sort()) {
        const now = levelOf(perms, scope);
        const was = levelOf(before, scope);
        if (rank(now) > rank(was)) {
          const where = pw?.workflow.jobs[job]?.permissions !== undefined ? ["jobs", job, "permissions"] : ["permissions"];
          add(file, job, line(where), `widens ${scope === "*" ? "every scope" : scope} from ${was} to ${now} since its approval${ok.permissions[job] ? "" : " (new job)"}`);
        }
      }
    }
  }
  for (const [manifest, names] of Object.entries(current.dependencies)) {
    const known = new Set(approved?.dependencies[manifest] ?? []);
    const added = names.filter((n) => !known.has(n));
    if (added.length === 0) continue;
    const lines = readFileSync(join(root, manifest), "utf8").split("\n");
    for (const name of added) {
      const line = lines.findIndex((l) => l.includes(`${JSON.stringify(name)}:`)) + 1;
      add(manifest, "-", Math.max(line, 1), `adds the dependency ${name} without an approval`);
    }
  }
  return out;
}

export function renderSurface(s: RepositorySurface): string {
  return `${JSON.stringify(JSON.parse(canonical(s)), null, 2)}\n`;
}
