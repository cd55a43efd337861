/**
 * GitlabPipelineSchedule: one pipeline schedule of a project (`POST/PUT/GET/DELETE
 * /projects/:id/pipeline_schedules[/:id]`), design notes in docs/design/hardware-lane.md ("Health
 * schedule"). Identified by its description (which names the stack): create adopts a schedule
 * with that description, then converges ref, cron, time zone and `active` with one PUT; `read`
 * reports a schedule deleted or edited in the UI as drift.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LaneSettings } from "../../hardware/schema/lane.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs } from "../dynamic-inputs.ts";
import { AmbiguousWriteError, type Client, Connection, connect, ignoreGone, orNull } from "./client.ts";

export const PipelineScheduleInputs = z.object({
  ...Connection,
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  description: z.string().min(1),
  ref: z.string().min(1).default("main"),
  cron: LaneSettings.shape.healthCron.unwrap(),
  cronTimezone: z.string().min(1).default("UTC"),
  active: z.boolean().default(true),
});
export type PipelineScheduleInputs = z.output<typeof PipelineScheduleInputs>;

const LiveSchedule = z.looseObject({
  id: z.number(),
  description: z.string(),
  ref: z.string(),
  cron: z.string(),
  cron_timezone: z.string(),
  active: z.boolean(),
});
type LiveSchedule = z.output<typeof LiveSchedule>;

export interface PipelineScheduleState extends PipelineScheduleInputs {
  scheduleId: number;
  /** GitLab's schedule as last read (`null`: gone). */
  live: { ref: string; cron: string; cronTimezone: string; active: boolean } | null;
}

/** GitLab may answer `refs/heads/main` for a branch ref. */
const shortRef = (ref: string) => ref.replace(/^refs\/heads\//, "");

function matches(i: PipelineScheduleInputs, s: LiveSchedule): boolean {
  return shortRef(s.ref) === i.ref && s.cron === i.cron && s.cron_timezone === i.cronTimezone && s.active === i.active;
}

const fields = (i: PipelineScheduleInputs) => ({ description: i.description, ref: i.ref, cron: i.cron, cronTimezone: i.cronTimezone, active: i.active });

async function byId(c: Client, projectId: number, id: number): Promise<LiveSchedule | null> {
  const s = await orNull(c.api.PipelineSchedules.show(projectId, id));
  return s === null ? null : LiveSchedule.parse(s);
}

async function byDescription(c: Client, i: PipelineScheduleInputs): Promise<LiveSchedule | null> {
  const all = z.array(LiveSchedule).parse(await c.api.PipelineSchedules.all(i.projectId));
  return all.find((s) => s.description === i.description) ?? null;
}

async function converge(c: Client, i: PipelineScheduleInputs, s: LiveSchedule): Promise<LiveSchedule> {
  if (matches(i, s)) return s;
  return LiveSchedule.parse(await c.api.PipelineSchedules.edit(i.projectId, s.id, fields(i) as never));
}

/** Adopt the schedule with this description, else create it (a lost POST is looked up, not repeated). */
async function ensure(c: Client, i: PipelineScheduleInputs): Promise<LiveSchedule> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await byDescription(c, i);
    if (found) return converge(c, i, found);
    try {
      const { description, ref, cron, ...rest } = fields(i);
      return LiveSchedule.parse(await c.api.PipelineSchedules.create(i.projectId, description, ref, cron, rest as never));
    } catch (err) {
      if (!(err instanceof AmbiguousWriteError)) throw err;
    }
  }
  throw new Error(`GitlabPipelineSchedule ${i.projectPath} "${i.description}": could not create it after 3 attempts (GitLab kept failing)`);
}

function state(i: PipelineScheduleInputs, s: LiveSchedule | null, scheduleId: number): PipelineScheduleState {
  return {
    ...i,
    scheduleId: s?.id ?? scheduleId,
    live: s ? { ref: shortRef(s.ref), cron: s.cron, cronTimezone: s.cron_timezone, active: s.active } : null,
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(PipelineScheduleInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabPipelineSchedule", PipelineScheduleInputs, inputs);
  const s = await ensure(connect(i.gitlabUrl, i.gitlabToken), i);
  return { id: `${i.projectId}:${s.id}`, outs: state(i, s, s.id) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const o = props as unknown as PipelineScheduleState;
  const next = state(o, await byId(connect(o.gitlabUrl, o.gitlabToken), o.projectId, o.scheduleId), o.scheduleId);
  return { id, props: next as never, inputs: pickInputs(PipelineScheduleInputs, next as never) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(PipelineScheduleInputs, news), news) as PipelineScheduleInputs;
  const o = olds as unknown as PipelineScheduleState;
  const replaces = changedKeys(olds, n as never, ["gitlabUrl", "projectId"]);
  const live = o.live;
  const drift = !live || live.ref !== n.ref || live.cron !== n.cron || live.cronTimezone !== n.cronTimezone || live.active !== n.active;
  const other = changedKeys(olds, n as never, ["description", "ref", "cron", "cronTimezone", "active", "gitlabToken", "projectPath"]);
  return { changes: replaces.length > 0 || drift || other.length > 0, replaces };
}

export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabPipelineSchedule", PipelineScheduleInputs, news);
  const o = olds as unknown as PipelineScheduleState;
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const current = await byId(c, i.projectId, o.scheduleId);
  // a renamed schedule keeps its id; a deleted one is created again
  const s = current ? LiveSchedule.parse(await c.api.PipelineSchedules.edit(i.projectId, current.id, fields(i) as never)) : await ensure(c, i);
  return { outs: state(i, s, s.id) };
}

export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as PipelineScheduleState;
  await ignoreGone(connect(s.gitlabUrl, s.gitlabToken).api.PipelineSchedules.remove(s.projectId, s.scheduleId));
}
export { remove as delete };
