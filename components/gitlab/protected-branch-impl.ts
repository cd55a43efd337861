/**
 * GitlabProtectedBranch: `main` protected with push "maintainers" or "no one", merge "maintainers",
 * no force push. GitLab protects the default branch by itself on the first push, so `POST` often
 * answers 409 "Protected branch 'main' already exists": create looks the protection up first and,
 * on 409 too, adopts it and converges it instead. Converging uses PATCH with `allowed_to_*`
 * (`id` + `_destroy` to drop a wrong level, a new entry to add the right one), which only GitLab
 * Premium honours; on Free the PATCH is silently ignored, so the provider reads back and, if the
 * levels are still wrong, unprotects and protects again (two calls, milliseconds apart).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ROLES } from "./roles.ts";
import { AmbiguousWriteError, type Client, Connection, connect, createOnce, ignoreGone, isStatus, orNull } from "./client.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs, sameSet } from "../dynamic-inputs.ts";

export const REF_LEVELS = { no_one: 0, maintainers: 40 } as const;

export const ProtectedBranchInputs = z.object({
  ...Connection,
  role: z.enum(ROLES),
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  branch: z.string().min(1).default("main"),
  push: z.enum(["maintainers", "no_one"]).default("maintainers"),
  merge: z.literal("maintainers").default("maintainers"),
  /** Leave the protection in place when the resource is deleted (adopted repositories). */
  retainOnDelete: z.boolean().default(false),
});
export type ProtectedBranchInputs = z.output<typeof ProtectedBranchInputs>;

const Level = z.looseObject({ id: z.number(), access_level: z.number().nullable(), user_id: z.number().nullable().optional(), group_id: z.number().nullable().optional() });
const LiveProtection = z.looseObject({
  name: z.string(),
  push_access_levels: z.array(Level),
  merge_access_levels: z.array(Level),
  allow_force_push: z.boolean(),
});
type LiveProtection = z.output<typeof LiveProtection>;

export interface ProtectedBranchState extends ProtectedBranchInputs {
  protected: boolean;
  pushAccessLevels: number[];
  mergeAccessLevels: number[];
  allowForcePush: boolean;
}

/** Role-based levels only (user/group/deploy-key entries are Premium extras we do not manage). */
const roleLevels = (levels: z.output<typeof Level>[]) => levels.filter((l) => l.user_id == null && l.group_id == null && l.access_level !== null);

function desired(i: ProtectedBranchInputs) {
  return { push: REF_LEVELS[i.push], merge: REF_LEVELS[i.merge] };
}

function matches(i: ProtectedBranchInputs, pb: LiveProtection): boolean {
  const want = desired(i);
  const push = roleLevels(pb.push_access_levels).map((l) => l.access_level);
  const merge = roleLevels(pb.merge_access_levels).map((l) => l.access_level);
  return sameSet(push, [want.push]) && sameSet(merge, [want.merge]) && !pb.allow_force_push;
}

async function show(c: Client, i: ProtectedBranchInputs): Promise<LiveProtection | null> {
  const pb = await orNull(c.api.ProtectedBranches.show(i.projectId, i.branch));
  return pb === null ? null : LiveProtection.parse(pb);
}

async function protect(c: Client, i: ProtectedBranchInputs): Promise<LiveProtection> {
  const want = desired(i);
  const { value } = await createOnce(`protection of ${i.projectPath}:${i.branch}`, {
    lookup: () => show(c, i),
    create: async () =>
      LiveProtection.parse(
        await c.api.ProtectedBranches.create(i.projectId, i.branch, { pushAccessLevel: want.push, mergeAccessLevel: want.merge, allowForcePush: false } as never),
      ),
    // GitLab protected the default branch on the first push, or someone else just did: adopt it.
    exists: (err) => isStatus(err, 409),
  });
  return value;
}

/** Nested-attribute edits: drop every wrong role level, add the wanted one if absent. */
function levelEdits(levels: z.output<typeof Level>[], want: number) {
  const role = roleLevels(levels);
  const edits: Record<string, unknown>[] = role.filter((l) => l.access_level !== want).map((l) => ({ id: l.id, _destroy: true }));
  if (!role.some((l) => l.access_level === want)) edits.push({ access_level: want });
  return edits;
}

async function converge(c: Client, i: ProtectedBranchInputs, start: LiveProtection): Promise<LiveProtection> {
  if (matches(i, start)) return start;
  const want = desired(i);
  try {
    await c.api.ProtectedBranches.edit(i.projectId, i.branch, {
      allow_force_push: false,
      allowed_to_push: levelEdits(start.push_access_levels, want.push),
      allowed_to_merge: levelEdits(start.merge_access_levels, want.merge),
    } as never);
  } catch (err) {
    if (!(err instanceof AmbiguousWriteError) && !isStatus(err, 422)) throw err;
  }
  const after = await show(c, i);
  if (after && matches(i, after)) return after;
  // GitLab Free ignores allowed_to_* on PATCH: re-protect with the wanted levels.
  await ignoreGone(c.api.ProtectedBranches.unprotect(i.projectId, i.branch));
  const again = await protect(c, i);
  if (!matches(i, again)) {
    throw new Error(`GitlabProtectedBranch ${i.projectPath}:${i.branch}: protection still differs after re-protecting (someone is changing it concurrently?)`);
  }
  return again;
}

function state(i: ProtectedBranchInputs, pb: LiveProtection | null): ProtectedBranchState {
  return {
    ...i,
    protected: pb !== null,
    pushAccessLevels: pb ? roleLevels(pb.push_access_levels).map((l) => l.access_level!) : [],
    mergeAccessLevels: pb ? roleLevels(pb.merge_access_levels).map((l) => l.access_level!) : [],
    allowForcePush: pb?.allow_force_push ?? false,
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(ProtectedBranchInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabProtectedBranch", ProtectedBranchInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const pb = await converge(c, i, await protect(c, i));
  return { id: `${i.projectId}:${i.branch}`, outs: state(i, pb) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as ProtectedBranchState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  const next = state(s, await show(c, s));
  return { id, props: next as never, inputs: pickInputs(ProtectedBranchInputs, next as never) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(ProtectedBranchInputs, news), news) as ProtectedBranchInputs;
  const o = olds as unknown as ProtectedBranchState;
  const replaces = changedKeys(olds, n as never, ["gitlabUrl", "projectId", "branch"]);
  const want = desired(n);
  const drift =
    !o.protected || !sameSet(o.pushAccessLevels, [want.push]) || !sameSet(o.mergeAccessLevels, [want.merge]) || o.allowForcePush === true;
  const other = changedKeys(olds, n as never, ["push", "merge", "retainOnDelete", "gitlabToken", "role", "projectPath"]);
  return { changes: replaces.length > 0 || drift || other.length > 0, replaces };
}

export async function update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabProtectedBranch", ProtectedBranchInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const current = (await show(c, i)) ?? (await protect(c, i));
  return { outs: state(i, await converge(c, i, current)) };
}

export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as ProtectedBranchState;
  if (s.retainOnDelete) return;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  await ignoreGone(c.api.ProtectedBranches.unprotect(s.projectId, s.branch));
}
export { remove as delete };
