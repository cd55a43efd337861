/**
 * GitlabBootstrapFiles.
 * Design notes: docs/design/gitlab.md ("components/gitlab/bootstrap-files-impl.ts").
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ROLES } from "./roles.ts";
import { AmbiguousWriteError, type Client, Connection, connect, isStatus, orNull } from "./client.ts";
import { changedKeys, checkInputs, parseInputs, pickInputs } from "../dynamic-inputs.ts";

const BootstrapFile = z.object({
  content: z.string(),
  executable: z.boolean().default(false),
  /** The agents own it after the first commit: created (and re-created when deleted), never overwritten. */
  seed: z.boolean().default(false),
});

export const BootstrapInputs = z.object({
  ...Connection,
  role: z.enum(ROLES),
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  branch: z.string().min(1).default("main"),
  files: z.record(z.string().min(1), BootstrapFile).refine((f) => Object.keys(f).length > 0, "no bootstrap files"),
  commitMessage: z.string().min(1),
  updateMessage: z.string().min(1),
  updateVia: z.enum(["push", "merge_request"]).default("push"),
});
export type BootstrapInputs = z.output<typeof BootstrapInputs>;

export interface BootstrapState extends BootstrapInputs {
  /** sha256 of each file's desired content and mode, as last committed. */
  fileHashes: Record<string, string>;
  /** Head of the branch after the last bootstrap write. */
  commitSha: string;
  /** Bootstrap files found missing from the branch by the last read. */
  missing: string[];
}

const LiveFile = z.looseObject({ content: z.string(), last_commit_id: z.string(), execute_filemode: z.boolean().optional() });
const LiveBranch = z.looseObject({ commit: z.looseObject({ id: z.string() }) });
const LiveProject = z.looseObject({ default_branch: z.string().nullable().optional(), empty_repo: z.boolean().optional() });

export function fileHash(f: { content: string; executable: boolean }): string {
  return createHash("sha256").update(f.executable ? "100755\0" : "100644\0").update(f.content).digest("hex");
}

const hashes = (files: BootstrapInputs["files"]) => Object.fromEntries(Object.entries(files).map(([p, f]) => [p, fileHash(f)]));

async function head(c: Client, i: BootstrapInputs, branch = i.branch): Promise<string | null> {
  const b = await orNull(c.api.Branches.show(i.projectId, branch));
  return b === null ? null : LiveBranch.parse(b).commit.id;
}

interface Action {
  action: "create" | "update";
  file_path: string;
  content: string;
  encoding: "text";
  execute_filemode: boolean;
  last_commit_id?: string;
}

/** The commit actions that bring `paths` on `ref` to the desired content (none when already there). */
async function actionsFor(c: Client, i: BootstrapInputs, paths: string[], ref: string | null): Promise<Action[]> {
  const out: Action[] = [];
  for (const path of paths) {
    const want = i.files[path]!;
    const live = ref === null ? null : await orNull(c.api.RepositoryFiles.show(i.projectId, path, ref));
    if (live === null) {
      out.push({ action: "create", file_path: path, content: want.content, encoding: "text", execute_filemode: want.executable });
      continue;
    }
    if (want.seed) continue; // the agents' file now (board, handoff log)
    const f = LiveFile.parse(live);
    const same = Buffer.from(f.content, "base64").toString("utf8") === want.content && (f.execute_filemode ?? false) === want.executable;
    if (!same) {
      out.push({
        action: "update",
        file_path: path,
        content: want.content,
        encoding: "text",
        execute_filemode: want.executable,
        last_commit_id: f.last_commit_id,
      });
    }
  }
  return out;
}

const COMMIT = z.looseObject({ id: z.string() });

async function commitDirect(c: Client, i: BootstrapInputs, actions: Action[], message: string, startBranch?: string): Promise<string> {
  const body = await c.api.Commits.create(i.projectId, i.branch, message, actions as never, (startBranch ? { startBranch } : {}) as never);
  return COMMIT.parse(body).id;
}

/** Protected `main` with push "no one": commit to a side branch, then merge it as a maintainer. */
async function commitViaMergeRequest(c: Client, i: BootstrapInputs, actions: Action[], message: string): Promise<string> {
  const digest = createHash("sha256").update(JSON.stringify(actions)).digest("hex").slice(0, 12);
  const side = `labfleet/bootstrap-${digest}`;
  if ((await head(c, i, side)) === null) {
    await c.api.Commits.create(i.projectId, side, message, actions as never, { startBranch: i.branch } as never);
  }
  const MR = z.looseObject({ iid: z.number(), state: z.string() });
  const open = z.array(MR).parse(await c.api.MergeRequests.all({ projectId: i.projectId, sourceBranch: side, state: "opened" } as never));
  const mr = open[0] ?? MR.parse(await c.api.MergeRequests.create(i.projectId, side, i.branch, message, { removeSourceBranch: true } as never));
  try {
    await c.api.MergeRequests.accept(i.projectId, mr.iid, { shouldRemoveSourceBranch: true } as never);
  } catch (err) {
    // a retried merge whose first response was lost answers 405: fine if the MR is merged now
    if (!isStatus(err, 405) || MR.parse(await c.api.MergeRequests.show(i.projectId, mr.iid)).state !== "merged") throw err;
  }
  const sha = await head(c, i);
  if (!sha) throw new Error(`GitlabBootstrapFiles ${i.projectPath}: ${i.branch} vanished after merging !${mr.iid}`);
  return sha;
}

/**
 * Writes `paths` in one commit. Looks at the live files before every attempt, so a commit whose
 * response was lost (502) is recognised as done instead of being sent twice.
 */
async function apply(c: Client, i: BootstrapInputs, paths: string[], message: string): Promise<string> {
  let last: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const tip = await head(c, i);
    const actions = await actionsFor(c, i, paths, tip);
    if (actions.length === 0) return tip ?? "";
    const project = LiveProject.parse(await c.api.Projects.show(i.projectId));
    try {
      if (tip === null) {
        // Empty repository: the first commit creates the branch. Otherwise branch off the default one.
        const start = project.empty_repo === false && project.default_branch ? project.default_branch : undefined;
        return await commitDirect(c, i, actions, message, start);
      }
      if (i.updateVia === "merge_request") return await commitViaMergeRequest(c, i, actions, message);
      return await commitDirect(c, i, actions, message);
    } catch (err) {
      // lost response, or the file changed since we read it: look again
      if (err instanceof AmbiguousWriteError || (isStatus(err, 400) && /changed since you started editing/.test(err.detail))) {
        last = err;
        continue;
      }
      if (isStatus(err, 403) && /not allowed to push/.test(err.detail)) {
        throw new Error(
          `GitlabBootstrapFiles ${i.projectPath}: ${i.branch} does not accept pushes from this token (${err.detail}); with labfleet:gitlab.protection.push "no_one" updates go through a merge request`,
        );
      }
      throw err;
    }
  }
  throw new Error(`GitlabBootstrapFiles ${i.projectPath}: could not commit after 4 attempts: ${last instanceof Error ? last.message : last}`);
}

/** The default branch of a repository we just created the first branch in. */
async function ensureDefaultBranch(c: Client, i: BootstrapInputs): Promise<void> {
  const p = LiveProject.parse(await c.api.Projects.show(i.projectId));
  if (p.default_branch !== i.branch) await c.api.Projects.edit(i.projectId, { defaultBranch: i.branch } as never);
}

function state(i: BootstrapInputs, commitSha: string, missing: string[] = []): BootstrapState {
  return { ...i, fileHashes: hashes(i.files), commitSha, missing };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(BootstrapInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabBootstrapFiles", BootstrapInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const sha = await apply(c, i, Object.keys(i.files), i.commitMessage);
  await ensureDefaultBranch(c, i);
  return { id: `${i.projectId}:bootstrap`, outs: state(i, sha) };
}

/** Paths whose template changed since the last write, or that went missing from the branch. */
export function pendingPaths(olds: Partial<BootstrapState>, i: BootstrapInputs): string[] {
  const before = olds.fileHashes ?? {};
  const missing = new Set(olds.missing ?? []);
  return Object.entries(i.files)
    .filter(([p, f]) => before[p] !== fileHash(f) || missing.has(p))
    .map(([p]) => p);
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const checked = checkInputs(BootstrapInputs, news);
  const replaces = changedKeys(olds, news, ["gitlabUrl", "projectId", "branch"]);
  if (!("inputs" in checked)) return { changes: true, replaces };
  const i = checked.inputs as BootstrapInputs;
  const files = pendingPaths(olds as Partial<BootstrapState>, i).length > 0;
  const other = changedKeys(olds, news, ["gitlabToken", "role", "projectPath", "commitMessage", "updateMessage", "updateVia"]);
  return { changes: replaces.length > 0 || files || other.length > 0, replaces };
}

export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabBootstrapFiles", BootstrapInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const paths = pendingPaths(olds as Partial<BootstrapState>, i);
  const prev = (olds as Partial<BootstrapState>).commitSha ?? "";
  const sha = paths.length > 0 ? await apply(c, i, paths, i.updateMessage) : prev;
  return { outs: state(i, sha) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as BootstrapState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  if ((await orNull(c.api.Projects.show(s.projectId))) === null) return { id: "", props: {} };
  const tip = await head(c, s);
  const missing: string[] = [];
  for (const path of Object.keys(s.files)) {
    if (tip === null || (await orNull(c.api.RepositoryFiles.show(s.projectId, path, s.branch))) === null) missing.push(path);
  }
  const next = { ...s, missing };
  return { id, props: next as never, inputs: pickInputs(BootstrapInputs, next as never) };
}

/** Deleting the resource leaves the files and history alone (the project's own delete removes them). */
export async function remove(_id: string, _props: Record<string, unknown>): Promise<void> {}
export { remove as delete };
