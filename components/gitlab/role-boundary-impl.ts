/**
 * GitlabRoleBoundary.
 * Design notes: docs/design/gitlab.md ("components/gitlab/role-boundary-impl.ts").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ROLES } from "./roles.ts";
import { type Client, Connection, connect, isStatus, orNull } from "./client.ts";
import { changedKeys, checkInputs, isUnknown, parseInputs, pickInputs } from "../dynamic-inputs.ts";

export const RoleBoundaryInputs = z.object({
  ...Connection,
  productRole: z.enum(ROLES),
  productProjectId: z.number().int().positive(),
  productPath: z.string().min(1),
  subjectRole: z.enum(ROLES),
  subjectUserId: z.number().int().positive(),
  subjectUsername: z.string().default(""),
  /** The subject role's own token (secret), to ask GitLab as that role. */
  /** The subject role's own token (secret), to ask GitLab as that role. */
  subjectToken: z.string().optional(),
});
export type RoleBoundaryInputs = z.output<typeof RoleBoundaryInputs>;

export interface BoundaryFindings {
  isMember: boolean;
  memberAccessLevel: number;
  productVisibility: string;
  /** null when no subject token was given. */
  subjectCanReadProduct: boolean | null;
  ok: boolean;
  reason: string;
}
export type RoleBoundaryState = RoleBoundaryInputs & BoundaryFindings;

const Member = z.looseObject({ access_level: z.number() });
const Project = z.looseObject({ visibility: z.string() });

export async function inspect(c: Client, i: RoleBoundaryInputs): Promise<BoundaryFindings> {
  const member = await orNull(c.api.ProjectMembers.show(i.productProjectId, i.subjectUserId, { includeInherited: true }));
  const level = member === null ? 0 : Member.parse(member).access_level;
  const visibility = Project.parse(await c.api.Projects.show(i.productProjectId)).visibility;
  let canRead: boolean | null = null;
  if (i.subjectToken) {
    try {
      canRead = (await orNull(connect(i.gitlabUrl, i.subjectToken).api.Projects.show(i.productProjectId))) !== null;
    } catch (err) {
      if (!isStatus(err, 401, 403)) throw err;
      canRead = false; // the subject token cannot authenticate at all
    }
  }
  const reasons: string[] = [];
  if (member !== null) reasons.push(`${i.subjectRole} user ${i.subjectUsername || i.subjectUserId} is a member of ${i.productPath} (access level ${level})`);
  if (visibility !== "private") reasons.push(`${i.productPath} is ${visibility}, so members are not needed to read it`);
  if (canRead === true) reasons.push(`the ${i.subjectRole} token can read ${i.productPath}`);
  return {
    isMember: member !== null,
    memberAccessLevel: level,
    productVisibility: visibility,
    subjectCanReadProduct: canRead,
    ok: reasons.length === 0,
    reason: reasons.length === 0 ? `${i.subjectRole} has no access to ${i.productPath}` : reasons.join("; "),
  };
}

const FINDINGS = ["isMember", "memberAccessLevel", "productVisibility", "subjectCanReadProduct", "ok"] as const;

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(RoleBoundaryInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabRoleBoundary", RoleBoundaryInputs, inputs);
  const f = await inspect(connect(i.gitlabUrl, i.gitlabToken), i);
  return { id: `${i.productProjectId}:${i.subjectUserId}`, outs: { ...i, ...f } };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const replaces = changedKeys(olds, news, ["gitlabUrl", "productProjectId", "subjectUserId"]);
  const inputs = changedKeys(olds, news, ["gitlabToken", "subjectToken", "productPath", "subjectRole", "productRole", "subjectUsername"]);
  if (replaces.length > 0 || inputs.length > 0 || Object.values(news).some(isUnknown)) return { changes: true, replaces };
  // Live re-check on every up: a membership granted by hand since the last run shows as a change.
  const i = parseInputs("GitlabRoleBoundary", RoleBoundaryInputs, news);
  const f = await inspect(connect(i.gitlabUrl, i.gitlabToken), i);
  return { changes: changedKeys(olds, f as never, FINDINGS).length > 0, replaces };
}

export async function update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabRoleBoundary", RoleBoundaryInputs, news);
  return { outs: { ...i, ...(await inspect(connect(i.gitlabUrl, i.gitlabToken), i)) } };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as RoleBoundaryState;
  const f = await inspect(connect(s.gitlabUrl, s.gitlabToken), s);
  const next = { ...s, ...f };
  return { id, props: next as never, inputs: pickInputs(RoleBoundaryInputs, next as never) };
}

/** Nothing to undo: the check creates nothing in GitLab. */
export async function remove(_id: string, _props: Record<string, unknown>): Promise<void> {}
export { remove as delete };
