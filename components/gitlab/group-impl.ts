/**
 * GitlabGroup: the namespace (group) that holds one or more role repositories.
 * Design notes: docs/design/gitlab.md ("Role namespaces").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs } from "../dynamic-inputs.ts";
import { type Client, Connection, connect, createOnce, ignoreGone, isStatus, orNull } from "./client.ts";
import { ROLES } from "./roles.ts";

export const GroupInputs = z.object({
  ...Connection,
  /** Full path, e.g. `infra` or `lab/infra`. */
  fullPath: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*(\/[a-zA-Z0-9][a-zA-Z0-9_.-]*)*$/, "must be a group full path like infra or lab/infra"),
  /** The roles whose repositories live in this namespace (the policy pack reads it). */
  roles: z.array(z.enum(ROLES)).min(1),
  /** Create the group (and missing parents) when absent; false: it must exist. */
  create: z.boolean().default(true),
  /** Visibility of the groups this resource creates (converged on those only). */
  visibility: z.enum(["private", "internal", "public"]).default("private"),
  description: z.string().default(""),
});
export type GroupInputs = z.output<typeof GroupInputs>;

const LiveNamespace = z.looseObject({ id: z.number(), full_path: z.string(), kind: z.string().optional() });
const LiveGroup = z.looseObject({
  id: z.number(),
  full_path: z.string(),
  visibility: z.string(),
  web_url: z.string(),
  parent_id: z.number().nullable().optional(),
});
type LiveGroup = z.output<typeof LiveGroup>;

export interface GroupState extends GroupInputs {
  groupId: number;
  /** The group's full path as GitLab reports it (differs from the input after a rename: drift). */
  livePath: string;
  liveVisibility: string;
  webUrl: string;
  /** Full paths of the groups this resource created, parents first (only those are ever changed or deleted). */
  createdPaths: string[];
}

const prefixes = (fullPath: string) => fullPath.split("/").map((_, n, parts) => parts.slice(0, n + 1).join("/"));

async function namespace(c: Client, path: string) {
  const ns = await orNull(c.api.Namespaces.show(path));
  return ns === null ? null : LiveNamespace.parse(ns);
}

async function group(c: Client, id: number | string): Promise<LiveGroup | null> {
  const g = await orNull(c.api.Groups.show(id));
  return g === null ? null : LiveGroup.parse(g);
}

/** Looks the path up level by level (GET /namespaces/:path) and creates what is missing (POST /groups with parent_id). */
async function ensure(c: Client, i: GroupInputs): Promise<{ leaf: LiveGroup; created: string[] }> {
  const created: string[] = [];
  let parentId: number | undefined;
  for (const path of prefixes(i.fullPath)) {
    const found = await namespace(c, path);
    if (found) {
      parentId = found.id;
      continue;
    }
    if (!i.create) {
      throw new Error(`GitlabGroup ${i.fullPath}: namespace ${path} not found and labfleet:gitlab.namespaces.create is false — create it or allow labfleet to`);
    }
    const segment = path.split("/").pop()!;
    const { value, adopted } = await createOnce(`group ${path}`, {
      lookup: async () => {
        const ns = await namespace(c, path);
        return ns === null ? null : { id: ns.id };
      },
      create: async () =>
        LiveGroup.parse(
          await c.api.Groups.create(segment, segment, {
            ...(parentId === undefined ? {} : { parentId }),
            visibility: i.visibility,
            description: i.description,
          } as never),
        ),
      // GitLab answers 400 "has already been taken" when the path appeared meanwhile
      exists: (err) => isStatus(err, 409) || (isStatus(err, 400) && /already been taken/.test(err.detail)),
    });
    if (!adopted) created.push(path);
    parentId = value.id;
  }
  const leaf = await group(c, parentId!);
  if (!leaf) throw new Error(`GitlabGroup ${i.fullPath}: namespace ${i.fullPath} is not a group (a user namespace cannot hold role repositories)`);
  return { leaf, created };
}

function state(i: GroupInputs, g: LiveGroup, createdPaths: string[]): GroupState {
  return { ...i, groupId: g.id, livePath: g.full_path, liveVisibility: g.visibility, webUrl: g.web_url, createdPaths };
}

/** The leaf's visibility is ours to converge only when this resource created it. */
const ownsLeaf = (s: Pick<GroupState, "createdPaths" | "fullPath">) => s.createdPaths.includes(s.fullPath);

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(GroupInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabGroup", GroupInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const { leaf, created } = await ensure(c, i);
  return { id: String(leaf.id), outs: state(i, leaf, created) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as GroupState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  const g = await group(c, Number(id));
  if (!g) return { id: "", props: {} };
  const next = state(s, g, s.createdPaths ?? []);
  return { id, props: next as never, inputs: pickInputs(GroupInputs, next as never) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const o = olds as unknown as GroupState;
  const n = checkedOr(checkInputs(GroupInputs, news), news) as Record<string, unknown>;
  const replaces = changedKeys(olds, n, ["gitlabUrl", "fullPath"]);
  // renamed or moved by hand: the group at the wanted path is looked up (or created) again
  if (o.livePath !== undefined && o.livePath !== n.fullPath && !replaces.includes("fullPath")) replaces.push("fullPath");
  const updates = changedKeys(olds, n, ["gitlabToken", "roles", "create", "visibility", "description"]);
  const visibilityDrift = ownsLeaf(o) && o.liveVisibility !== undefined && o.liveVisibility !== n.visibility;
  return { changes: replaces.length + updates.length > 0 || visibilityDrift, replaces, deleteBeforeReplace: false };
}

export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const o = olds as unknown as GroupState;
  const i = parseInputs("GitlabGroup", GroupInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  let g = await group(c, Number(id));
  if (!g) throw new Error(`GitlabGroup ${i.fullPath}: group ${id} no longer exists — run \`pulumi refresh\` so it is recreated`);
  if (ownsLeaf(o) && g.visibility !== i.visibility) g = LiveGroup.parse(await c.api.Groups.edit(g.id, { visibility: i.visibility } as never));
  return { outs: state(i, g, o.createdPaths ?? []) };
}

/** Deletes only the groups this resource created, deepest first, and only while they are empty. */
export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as GroupState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  for (const path of [...(s.createdPaths ?? [])].reverse()) {
    const g = await group(c, path);
    if (!g) continue;
    const projects = await c.api.Groups.allProjects(g.id, { perPage: 1, maxPages: 1 } as never);
    const subgroups = await c.api.Groups.allSubgroups(g.id, { perPage: 1, maxPages: 1 } as never);
    if ((projects as unknown[]).length > 0 || (subgroups as unknown[]).length > 0) return; // not empty: left in place (and so are its parents)
    await ignoreGone(c.api.Groups.remove(g.id));
  }
}
export { remove as delete };
