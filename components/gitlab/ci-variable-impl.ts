/**
 * GitlabCiVariable: one project-level CI/CD variable (`POST/PUT/GET/DELETE
 * /projects/:id/variables[/:key]`), design notes in docs/design/hardware-lane.md ("CI/CD
 * variables"). The value is a secret input: it is sent only in request bodies, never put in an
 * error or a log (errors are scrubbed of it), and state keeps only whether GitLab's copy matches.
 * Create looks the key up first and adopts an existing variable (GitLab answers 400 "has already
 * been taken" when it appeared between lookup and POST), then converges it with PUT.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs } from "../dynamic-inputs.ts";
import { type Client, Connection, connect, createOnce, ignoreGone, isStatus, orNull } from "./client.ts";

/** GitLab's rule for a value it can mask in job logs (docs.gitlab.com, "Mask a CI/CD variable"). */
export const MASKABLE = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;

export const CiVariableInputs = z
  .object({
    ...Connection,
    projectId: z.number().int().positive(),
    projectPath: z.string().min(1),
    key: z.string().regex(/^[A-Za-z0-9_]{1,255}$/, "a CI/CD variable key holds only letters, digits and '_' (at most 255)"),
    value: z.string(),
    masked: z.boolean().default(true),
    protected: z.boolean().default(true),
    description: z.string().default(""),
  })
  .superRefine((i, ctx) => {
    if (i.masked && !MASKABLE.test(i.value)) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: `CI/CD variable ${i.key} is masked, so its value must be one line of 8 or more characters from A-Z a-z 0-9 _ + = / @ : . ~ - (no spaces)`,
      });
    }
  });
export type CiVariableInputs = z.output<typeof CiVariableInputs>;

const LiveVariable = z.looseObject({
  key: z.string(),
  value: z.string().nullable(),
  masked: z.boolean(),
  protected: z.boolean(),
  environment_scope: z.string().default("*"),
});
type LiveVariable = z.output<typeof LiveVariable>;

export interface CiVariableState extends CiVariableInputs {
  /** GitLab's copy as last read: present, its flags, and whether its value is ours. */
  present: boolean;
  liveMasked: boolean;
  liveProtected: boolean;
  valueMatches: boolean;
}

/** Runs a call, replacing the secret value in any error it throws. */
async function scrubbed<T>(value: string, p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (err) {
    if (err instanceof Error && value.length > 0 && err.message.includes(value)) err.message = err.message.split(value).join("[redacted]");
    throw err;
  }
}

async function show(c: Client, i: CiVariableInputs): Promise<LiveVariable | null> {
  const v = await orNull(c.api.ProjectVariables.show(i.projectId, i.key, { filter: { environment_scope: "*" } } as never));
  return v === null ? null : LiveVariable.parse(v);
}

const body = (i: CiVariableInputs) => ({ masked: i.masked, protected: i.protected, raw: true, environmentScope: "*", description: i.description });

function matches(i: CiVariableInputs, v: LiveVariable): boolean {
  return v.masked === i.masked && v.protected === i.protected && v.value === i.value;
}

async function converge(c: Client, i: CiVariableInputs, v: LiveVariable): Promise<LiveVariable> {
  if (matches(i, v)) return v;
  return LiveVariable.parse(await c.api.ProjectVariables.edit(i.projectId, i.key, i.value, { ...body(i), filter: { environment_scope: "*" } } as never));
}

async function ensure(c: Client, i: CiVariableInputs): Promise<LiveVariable> {
  const { value } = await createOnce(`CI/CD variable ${i.key} of ${i.projectPath}`, {
    lookup: () => show(c, i),
    create: async () => LiveVariable.parse(await c.api.ProjectVariables.create(i.projectId, i.key, i.value, body(i) as never)),
    exists: (err) => isStatus(err, 400) && /already been taken/.test(err.detail),
  });
  return converge(c, i, value);
}

function state(i: CiVariableInputs, v: LiveVariable | null): CiVariableState {
  return {
    ...i,
    present: v !== null,
    liveMasked: v?.masked ?? false,
    liveProtected: v?.protected ?? false,
    // A hidden variable's value is not readable (null): judged by the flags only.
    valueMatches: v !== null && (v.value === null || v.value === i.value),
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(CiVariableInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabCiVariable", CiVariableInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const v = await scrubbed(i.value, () => ensure(c, i));
  return { id: `${i.projectId}:${i.key}`, outs: state(i, v) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as CiVariableState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  const next = state(s, await scrubbed(s.value, () => show(c, s)));
  return { id, props: next as never, inputs: pickInputs(CiVariableInputs, next as never) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(CiVariableInputs, news), news) as CiVariableInputs;
  const o = olds as unknown as CiVariableState;
  const replaces = changedKeys(olds, n as never, ["gitlabUrl", "projectId", "key"]);
  const drift = !o.present || o.liveMasked !== n.masked || o.liveProtected !== n.protected || !o.valueMatches;
  const other = changedKeys(olds, n as never, ["value", "masked", "protected", "description", "gitlabToken", "projectPath"]);
  return { changes: replaces.length > 0 || drift || other.length > 0, replaces, deleteBeforeReplace: true };
}

export async function update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabCiVariable", CiVariableInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  return { outs: state(i, await scrubbed(i.value, () => ensure(c, i))) };
}

export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as CiVariableState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  await ignoreGone(c.api.ProjectVariables.remove(s.projectId, s.key));
}
export { remove as delete };
