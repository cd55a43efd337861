/**
 * GitlabProject: a role repository (private, default branch `main`). Creates look the project up
 * first and adopt it; `existing: true` projects (the product repo) are adopted, converged and never
 * deleted. Drift read back: visibility and default branch.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ROLES } from "./roles.ts";
import { type Client, Connection, connect, createOnce, ignoreGone, isStatus, orNull } from "./client.ts";
import { OWNER_MARKER } from "./naming.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs } from "../dynamic-inputs.ts";

export const ProjectInputs = z.object({
  ...Connection,
  role: z.enum(ROLES),
  namespace: z.string().min(1, "the group path is empty"),
  path: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a GitLab project path"),
  description: z.string().default(""),
  visibility: z.enum(["private", "internal", "public"]).default("private"),
  defaultBranch: z.string().min(1).default("main"),
  /** Adopt an existing project, never create or delete it. */
  existing: z.boolean().default(false),
  /** The Pulumi stack that owns the project; written into the description, checked on adoption. */
  stack: z.string().default(""),
});
export type ProjectInputs = z.output<typeof ProjectInputs>;

const LiveProject = z.looseObject({
  id: z.number(),
  path_with_namespace: z.string(),
  visibility: z.string(),
  default_branch: z.string().nullable().optional(),
  http_url_to_repo: z.string(),
  web_url: z.string(),
  description: z.string().nullable().optional(),
  empty_repo: z.boolean().optional(),
});
type LiveProject = z.output<typeof LiveProject>;

export interface ProjectState extends ProjectInputs {
  projectId: number;
  pathWithNamespace: string;
  httpUrlToRepo: string;
  webUrl: string;
}

const fullPath = (i: ProjectInputs) => `${i.namespace}/${i.path}`;


/** Refuses to adopt a project another stack created (destroying one stack must not delete the other's repos). */
function assertOwner(i: ProjectInputs, p: LiveProject): void {
  const owner = OWNER_MARKER.exec(p.description ?? "")?.[1];
  if (owner && i.stack && owner !== i.stack) {
    throw new Error(
      `GitlabProject ${fullPath(i)}: the project is managed by Pulumi stack ${owner} (see its description); refusing to adopt it into stack ${i.stack} — use another group or path for this stack`,
    );
  }
}

async function show(c: Client, id: number | string): Promise<LiveProject | null> {
  const p = await orNull(c.api.Projects.show(id));
  return p === null ? null : LiveProject.parse(p);
}

/** GitLab's clone URL must be HTTPS whenever GitLab itself is reached over HTTPS. */
function httpsOnly(i: ProjectInputs, p: LiveProject): string {
  if (i.gitlabUrl.startsWith("https://") && !p.http_url_to_repo.startsWith("https://")) {
    throw new Error(
      `GitLab reports the clone URL ${p.http_url_to_repo} for ${p.path_with_namespace}; labfleet uses HTTPS remotes only — fix GitLab's external_url`,
    );
  }
  return p.http_url_to_repo;
}

/** Brings visibility, default branch and description to the desired values. */
async function converge(c: Client, i: ProjectInputs, p: LiveProject): Promise<LiveProject> {
  const edits: Record<string, string> = {};
  if (p.visibility !== i.visibility) edits.visibility = i.visibility;
  if (p.default_branch !== i.defaultBranch) {
    // An empty repository takes any name; otherwise the branch must exist (the bootstrap commit creates it).
    const exists = p.empty_repo === true || (await orNull(c.api.Branches.show(p.id, i.defaultBranch))) !== null;
    if (exists) edits.default_branch = i.defaultBranch;
  }
  if (!i.existing && (p.description ?? "") !== i.description) edits.description = i.description;
  if (Object.keys(edits).length === 0) return p;
  return LiveProject.parse(await c.api.Projects.edit(p.id, edits));
}

function state(i: ProjectInputs, p: LiveProject): ProjectState {
  return {
    ...i,
    visibility: p.visibility as ProjectInputs["visibility"],
    defaultBranch: p.default_branch ?? "",
    description: i.existing ? i.description : (p.description ?? ""),
    projectId: p.id,
    pathWithNamespace: p.path_with_namespace,
    httpUrlToRepo: httpsOnly(i, p),
    webUrl: p.web_url,
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(ProjectInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabProject", ProjectInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  let p: LiveProject;
  if (i.existing) {
    const found = await show(c, fullPath(i));
    if (!found) {
      throw new Error(
        `GitlabProject ${fullPath(i)}: the project does not exist, and labfleet:gitlab.roles.${i.role}.existing is true (adopt, never create) — create it or set existing: false`,
      );
    }
    p = found;
  } else {
    const ns = await orNull(c.api.Namespaces.show(i.namespace));
    if (!ns) throw new Error(`GitlabProject ${fullPath(i)}: namespace ${i.namespace} not found (the role namespace: labfleet:gitlab.roles.${i.role}.namespace or labfleet:gitlab.group)`);
    const nsId = z.looseObject({ id: z.number() }).parse(ns).id;
    let adopted: boolean;
    ({ value: p, adopted } = await createOnce(`project ${fullPath(i)}`, {
      lookup: () => show(c, fullPath(i)),
      create: async () =>
        LiveProject.parse(
          await c.api.Projects.create({
            name: i.path,
            path: i.path,
            namespaceId: nsId,
            visibility: i.visibility,
            description: i.description,
            initializeWithReadme: false,
          } as never),
        ),
      exists: (err) => isStatus(err, 400) && /already been taken/.test(err.detail),
    }));
    if (adopted) assertOwner(i, p);
  }
  p = await converge(c, i, p);
  return { id: String(p.id), outs: state(i, p) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const olds = props as unknown as ProjectState;
  const c = connect(olds.gitlabUrl, olds.gitlabToken);
  const p = await show(c, Number(id));
  if (!p) return { id: "", props: {} };
  const s = state(olds, p);
  return { id, props: s as never, inputs: pickInputs(ProjectInputs, s as never) };
}

const REPLACE = ["gitlabUrl", "namespace", "path", "existing"] as const;
const UPDATE = ["visibility", "defaultBranch", "description", "role", "gitlabToken"] as const;

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(ProjectInputs, news), news) as Record<string, unknown>;
  const replaces = changedKeys(olds, n, REPLACE);
  const updates = changedKeys(olds, n, UPDATE).filter((k) => !(k === "description" && n.existing === true));
  return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
}

export async function update(id: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabProject", ProjectInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const p = await show(c, Number(id));
  if (!p) throw new Error(`GitlabProject ${fullPath(i)}: project ${id} no longer exists — run \`pulumi refresh\` so it is recreated`);
  return { outs: state(i, await converge(c, i, p)) };
}

export async function remove(id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as ProjectState;
  if (s.existing) return; // adopted (the product repo): never deleted
  const c = connect(s.gitlabUrl, s.gitlabToken);
  await ignoreGone(c.api.Projects.remove(Number(id)));
}
export { remove as delete };
