/**
 * CiRunner.
 * Design notes: docs/design/gitlab.md ("components/gitlab/runner-impl.ts").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { type Client, Connection, connect, createOnce, ignoreGone, orNull } from "./client.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs, sameSet } from "../dynamic-inputs.ts";

export const CiRunnerInputs = z.object({
  ...Connection,
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  /** The HUT slot label; the runner's only tag. */
  label: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be a runner tag (letters, digits, . _ -)"),
  description: z.string().min(1),
  tagList: z.array(z.string().min(1)).min(1),
  runUntagged: z.boolean().default(false),
  locked: z.boolean().default(true),
  paused: z.boolean().default(false),
  maximumTimeout: z.number().int().min(600, "GitLab requires at least 600 s"),
  accessLevel: z.enum(["not_protected", "ref_protected"]).default("not_protected"),
});
export type CiRunnerInputs = z.output<typeof CiRunnerInputs>;

const LiveCiRunner = z.looseObject({
  id: z.number(),
  description: z.string().nullable(),
  tag_list: z.array(z.string()),
  run_untagged: z.boolean(),
  locked: z.boolean(),
  paused: z.boolean().optional(),
  active: z.boolean().optional(),
  maximum_timeout: z.number().nullable(),
  access_level: z.string(),
});
type LiveCiRunner = z.output<typeof LiveCiRunner>;
const Summary = z.looseObject({ id: z.number(), description: z.string().nullable() });
const Created = z.looseObject({ id: z.number(), token: z.string(), token_expires_at: z.string().nullable().optional() });
const Reset = z.looseObject({ token: z.string(), token_expires_at: z.string().nullable().optional() });

export interface CiRunnerState extends CiRunnerInputs {
  runnerId: number;
  token: string;
  tokenExpiresAt: string | null;
}

const settings = (i: CiRunnerInputs) => ({
  description: i.description,
  tag_list: i.tagList,
  run_untagged: i.runUntagged,
  locked: i.locked,
  paused: i.paused,
  maximum_timeout: i.maximumTimeout,
  access_level: i.accessLevel,
});

const paused = (r: LiveCiRunner) => r.paused ?? r.active === false;

function matches(i: CiRunnerInputs, r: LiveCiRunner): boolean {
  return (
    r.description === i.description &&
    sameSet(r.tag_list, i.tagList) &&
    r.run_untagged === i.runUntagged &&
    r.locked === i.locked &&
    paused(r) === i.paused &&
    r.maximum_timeout === i.maximumTimeout &&
    r.access_level === i.accessLevel
  );
}

async function show(c: Client, id: number): Promise<LiveCiRunner | null> {
  const r = await orNull(c.api.Runners.show(id));
  return r === null ? null : LiveCiRunner.parse(r);
}

async function converge(c: Client, i: CiRunnerInputs, r: LiveCiRunner): Promise<LiveCiRunner> {
  if (matches(i, r)) return r;
  return LiveCiRunner.parse(await c.api.Runners.edit(r.id, settings(i) as never));
}

/** Runners of the project carrying our description, oldest first (every page). */
async function ours(c: Client, i: CiRunnerInputs): Promise<number[]> {
  const all = z.array(Summary).parse(await c.api.Runners.all({ projectId: i.projectId, type: "project_type" } as never));
  return all
    .filter((r) => r.description === i.description)
    .map((r) => r.id)
    .sort((a, b) => a - b);
}

function state(i: CiRunnerInputs, r: LiveCiRunner, token: string, tokenExpiresAt: string | null): CiRunnerState {
  return {
    ...i,
    description: r.description ?? "",
    tagList: r.tag_list,
    runUntagged: r.run_untagged,
    locked: r.locked,
    paused: paused(r),
    maximumTimeout: r.maximum_timeout ?? 0,
    accessLevel: r.access_level as CiRunnerInputs["accessLevel"],
    runnerId: r.id,
    token,
    tokenExpiresAt,
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(CiRunnerInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("CiRunner", CiRunnerInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const { value } = await createOnce(`runner ${i.description}`, {
    lookup: async () => {
      const [keep, ...extra] = await ours(c, i);
      if (keep === undefined) return null;
      for (const dup of extra) await ignoreGone(c.api.Runners.remove({ runnerId: dup }));
      const reset = Reset.parse((await c.raw.post(`runners/${keep}/reset_authentication_token`)).body);
      return { id: keep, token: reset.token, token_expires_at: reset.token_expires_at ?? null };
    },
    create: async () =>
      Created.parse(await c.api.Users.createCIRunner("project_type", { projectId: i.projectId, ...settings(i) } as never)),
  });
  const live = await show(c, value.id);
  if (!live) throw new Error(`CiRunner ${i.description}: runner ${value.id} vanished right after creation`);
  const r = await converge(c, i, live);
  return { id: String(r.id), outs: state(i, r, value.token, value.token_expires_at ?? null) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as CiRunnerState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  const r = await show(c, Number(id));
  if (!r) return { id: "", props: {} };
  const next = state(s, r, s.token, s.tokenExpiresAt);
  return { id, props: next as never, inputs: pickInputs(CiRunnerInputs, next as never) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(CiRunnerInputs, news), news) as CiRunnerInputs;
  const replaces = changedKeys(olds, n as never, ["gitlabUrl", "projectId", "label"]);
  const updates = changedKeys(olds, n as never, ["description", "runUntagged", "locked", "paused", "maximumTimeout", "accessLevel", "gitlabToken", "projectPath"]);
  if (!sameSet(olds.tagList, n.tagList)) updates.push("tagList");
  return { changes: replaces.length + updates.length > 0, replaces };
}

export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const o = olds as unknown as CiRunnerState;
  const i = parseInputs("CiRunner", CiRunnerInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const r = await show(c, Number(id));
  if (!r) throw new Error(`CiRunner ${i.description}: runner ${id} no longer exists — run \`pulumi refresh\` so it is recreated`);
  return { outs: state(i, await converge(c, i, r), o.token, o.tokenExpiresAt) };
}

export async function remove(id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as CiRunnerState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  await ignoreGone(c.api.Runners.remove({ runnerId: Number(id) }));
}
export { remove as delete };
