import { type ParsedWorkflow, type Permissions, type PermissionLevel, triggersOf, type Workflow, type WorkflowJob } from "../../components/github/workflow.ts";

/**
 * The workflow rules (docs/governance.md): explicit least-privilege `permissions`, no
 * `pull_request_target`, no secrets in jobs a pull request can run, every non-local action pinned
 * to a commit, `id-token: write` only in jobs that use OIDC. Each finding names file, job and line.
 */

export type WorkflowRuleId = "workflow-permissions" | "no-pull-request-target" | "no-secrets-in-pr-jobs" | "actions-pinned" | "id-token-only-for-oidc";

export interface Finding {
  rule: WorkflowRuleId | "workflow-approval" | "codeowners" | "hardware-deploys-in-mesh";
  file: string;
  /** job id, or `(workflow)` for the file's top level */
  job: string;
  line: number;
  message: string;
  fix: string;
}

export const WORKFLOW_LEVEL = "(workflow)";

/** Events whose runs a pull request (also from a fork) can start. */
export const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"];

/**
 * Actions that exchange the job's OIDC token for cloud credentials; a job granted `id-token: write`
 * must use one (or read ACTIONS_ID_TOKEN_REQUEST_* itself).
 */
export const OIDC_ACTIONS = ["aws-actions/configure-aws-credentials", "google-github-actions/auth", "pulumi/auth-actions", "azure/login", "hashicorp/vault-action"];

const RANK: Record<PermissionLevel, number> = { none: 0, read: 1, write: 2 };

/** A permissions value as scope → level; `*` stands for every scope (read-all / write-all). */
export function permissionMap(p: Permissions | undefined): Record<string, PermissionLevel> {
  if (p === undefined) return { "*": "write" }; // GitHub's default token may be read-write
  if (p === "write-all") return { "*": "write" };
  if (p === "read-all") return { "*": "read" };
  return { ...p };
}

export function levelOf(map: Record<string, PermissionLevel>, scope: string): PermissionLevel {
  return map[scope] ?? map["*"] ?? "none";
}

export function rank(level: PermissionLevel): number {
  return RANK[level];
}

/** What a job's token may do: its own block, else the workflow's. */
export function effectivePermissions(wf: Workflow, job: WorkflowJob): Record<string, PermissionLevel> {
  return permissionMap(job.permissions ?? wf.permissions);
}

function usesOidc(job: WorkflowJob): boolean {
  return job.steps.some(
    (s) =>
      (s.uses !== undefined && OIDC_ACTIONS.some((a) => s.uses!.toLowerCase().startsWith(`${a}@`))) ||
      /ACTIONS_ID_TOKEN_REQUEST_(TOKEN|URL)|getIDToken\(/.test(`${s.run ?? ""} ${JSON.stringify(s.with ?? {})}`),
  );
}

const PINNED = /^[^@\s]+@[0-9a-f]{40}$/;

/** A job's source lines with their numbers. */
function jobLines(pw: ParsedWorkflow, id: string): { line: number; text: string }[] {
  const { first, last } = pw.linesOf(["jobs", id]);
  return pw.text
    .split("\n")
    .slice(first - 1, last)
    .map((text, i) => ({ line: first + i, text }));
}

/** `${{ … secrets.X … }}` other than the job's own GITHUB_TOKEN, `secrets[…]`, `toJSON(secrets)`, `secrets: inherit`. */
function secretReference(text: string): string | undefined {
  const code = text.replace(/(^|\s)#.*$/, "");
  for (const m of code.matchAll(/\$\{\{(.*?)\}\}/g)) {
    const expr = m[1] ?? "";
    const ref = /\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_-]*)|\[)|toJSON\(\s*secrets\s*\)/.exec(expr);
    if (ref && ref[1] !== "GITHUB_TOKEN") return ref[0];
  }
  if (/^\s*secrets:\s*inherit\b/.test(code)) return "secrets: inherit";
  return undefined;
}

export function checkWorkflow(pw: ParsedWorkflow): Finding[] {
  const { file, workflow: wf } = pw;
  const out: Finding[] = [];
  const add = (rule: WorkflowRuleId, job: string, line: number, message: string, fix: string) => out.push({ rule, file, job, line, message, fix });
  const jobs = Object.entries(wf.jobs);
  const triggers = triggersOf(wf);

  // workflow-permissions
  if (wf.permissions === undefined) {
    add("workflow-permissions", WORKFLOW_LEVEL, 1, "has no top-level `permissions`: every job without its own block gets the repository's default token", "add `permissions: {}` (or `contents: read`) at the top level");
  } else {
    const top = permissionMap(wf.permissions);
    for (const [scope, level] of Object.entries(top)) {
      if (level === "write" || scope === "*") {
        add("workflow-permissions", WORKFLOW_LEVEL, pw.lineOf(["permissions", ...(scope === "*" ? [] : [scope])]), `top-level permissions grant ${scope === "*" ? String(wf.permissions) : `${scope}: ${level}`} to every job`, "keep the top level read-only (`contents: read`) and grant writes in the job that needs them");
      }
    }
  }
  for (const [id, job] of jobs) {
    if (job.permissions === undefined) {
      add("workflow-permissions", id, pw.lineOf(["jobs", id]), "has no `permissions` block: it inherits the workflow's", "give the job an explicit `permissions` block with only the scopes it uses");
    } else if (typeof job.permissions === "string") {
      add("workflow-permissions", id, pw.lineOf(["jobs", id, "permissions"]), `grants ${job.permissions}`, "list the scopes the job uses, each at the lowest level");
    }
  }

  // no-pull-request-target
  if ("pull_request_target" in triggers) {
    const line = pw.lineOf(["on", "pull_request_target"]);
    for (const [id] of jobs) {
      add("no-pull-request-target", id, line, "runs on pull_request_target: a fork's pull request would run with this repository's secrets and a write token", "trigger on pull_request instead");
    }
  }

  // no-secrets-in-pr-jobs
  const prEvents = PULL_REQUEST_EVENTS.filter((e) => e in triggers);
  if (prEvents.length > 0) {
    for (const [id] of jobs) {
      for (const { line, text } of jobLines(pw, id)) {
        const ref = secretReference(text);
        if (ref) add("no-secrets-in-pr-jobs", id, line, `reads ${ref} but a pull request can run it (on: ${prEvents.join(", ")})`, "use short-lived OIDC credentials (docs/runbooks/ci-identity.md), or move the step to a job pull requests cannot start");
      }
    }
  }

  // actions-pinned
  for (const [id, job] of jobs) {
    const refs: { uses: string; path: (string | number)[] }[] = job.steps.flatMap((s, i) => (s.uses ? [{ uses: s.uses, path: ["jobs", id, "steps", i, "uses"] }] : []));
    if (job.uses) refs.push({ uses: job.uses, path: ["jobs", id, "uses"] });
    for (const { uses, path } of refs) {
      if (uses.startsWith("./")) continue;
      const ok = uses.startsWith("docker://") ? /@sha256:[0-9a-f]{64}$/.test(uses) : PINNED.test(uses);
      if (!ok) add("actions-pinned", id, pw.lineOf(path), `uses ${uses}, which is not pinned to a full commit SHA`, "pin `owner/repo@<40-hex commit>` with the release as a comment (`# v4.2.2`); images by `@sha256:` digest");
    }
  }

  // id-token-only-for-oidc
  for (const [id, job] of jobs) {
    if (levelOf(effectivePermissions(wf, job), "id-token") !== "write" || usesOidc(job)) continue;
    const line = job.permissions !== undefined ? pw.lineOf(["jobs", id, "permissions", "id-token"]) : pw.lineOf(["permissions", "id-token"]);
    add("id-token-only-for-oidc", id, line, "may mint an OIDC token (id-token: write) but no step exchanges one for credentials", `drop id-token: write from this job (OIDC actions: ${OIDC_ACTIONS.join(", ")})`);
  }
  return out;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: job ${f.job}: [${f.rule}] ${f.message}. Fix: ${f.fix}`;
}
