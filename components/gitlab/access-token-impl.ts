/**
 * GitlabProjectAccessToken.
 * Design notes: docs/design/gitlab.md ("components/gitlab/access-token-impl.ts").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ACCESS_LEVELS, ROLES, TOKEN_SCOPES } from "./roles.ts";
import { AmbiguousWriteError, type Client, Connection, connect, createOnce, ignoreGone, isoDate, orNull } from "./client.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs, sameSet } from "../dynamic-inputs.ts";

export const AccessTokenInputs = z.object({
  ...Connection,
  role: z.enum(ROLES),
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  name: z.string().min(1).max(255),
  description: z.string().default(""),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, "at least one scope"),
  accessLevel: z.enum(["guest", "reporter", "developer", "maintainer"]),
  lifetimeDays: z.number().int().min(2).max(365),
  rotateBeforeDays: z.number().int().min(1),
  /**
   * How a due rotation hands the token over: `rotate` = GitLab's rotate API (the old token is
   * revoked at once); `successor` = a new token is created and the old one stays valid until a
   * `GitlabTokenRetirement` revokes it after the new one was delivered.
   */
  handover: z.enum(["rotate", "successor"]).default("rotate"),
});
export type AccessTokenInputs = z.output<typeof AccessTokenInputs>;

const LiveToken = z.looseObject({
  id: z.number(),
  name: z.string(),
  scopes: z.array(z.string()),
  access_level: z.number(),
  expires_at: z.string().nullable(),
  active: z.boolean(),
  revoked: z.boolean(),
  user_id: z.number(),
  created_at: z.string().optional(),
  token: z.string().optional(),
});
type LiveToken = z.output<typeof LiveToken>;

export interface AccessTokenState extends AccessTokenInputs {
  tokenId: number;
  token: string;
  expiresAt: string;
  userId: number;
  botUsername: string;
  active: boolean;
  revoked: boolean;
}

const DAY = 86_400_000;

/** Whether a token expiring on `expiresAt` (YYYY-MM-DD, 00:00 UTC) is due for rotation. */
export function rotationDue(expiresAt: string | undefined, rotateBeforeDays: number, now = Date.now()): boolean {
  if (!expiresAt) return true;
  const expiry = Date.parse(`${expiresAt}T00:00:00Z`);
  return Number.isNaN(expiry) || now >= expiry - rotateBeforeDays * DAY;
}

/** GitLab tokens stop working at 00:00 UTC of their `expires_at` date. */
const expired = (t: LiveToken, now = Date.now()) => t.expires_at !== null && Date.parse(`${t.expires_at}T00:00:00Z`) <= now;
const usable = (t: LiveToken) => t.active && !t.revoked && !expired(t);

function same(i: AccessTokenInputs, t: LiveToken): boolean {
  return t.name === i.name && sameSet(t.scopes, i.scopes) && t.access_level === ACCESS_LEVELS[i.accessLevel];
}

async function showToken(c: Client, i: AccessTokenInputs, tokenId: number): Promise<LiveToken | null> {
  const t = await orNull(c.api.ProjectAccessTokens.show(i.projectId, tokenId));
  return t === null ? null : LiveToken.parse(t);
}

async function matching(c: Client, i: AccessTokenInputs): Promise<LiveToken[]> {
  const all = z.array(LiveToken).parse(await c.api.ProjectAccessTokens.all(i.projectId));
  return all.filter((t) => same(i, t) && usable(t)).sort((a, b) => b.id - a.id);
}

/** Every usable token of this name on the project (any scopes/level: a replaced token's predecessor too). */
export async function live(c: Client, i: Pick<AccessTokenInputs, "projectId" | "name">): Promise<LiveToken[]> {
  const all = z.array(LiveToken).parse(await c.api.ProjectAccessTokens.all(i.projectId));
  return all.filter((t) => t.name === i.name && usable(t));
}

async function rotateOnce(c: Client, i: AccessTokenInputs, tokenId: number): Promise<LiveToken> {
  const t = LiveToken.parse(await c.api.ProjectAccessTokens.rotate(i.projectId, tokenId, { expiresAt: isoDate(i.lifetimeDays) } as never));
  if (!t.token) throw new Error(`GitlabProjectAccessToken ${i.projectPath}/${i.name}: GitLab returned no token on rotate`);
  return t;
}

/** Rotates `current`; after a lost response, finds the successor instead of rotating a revoked token. */
async function rotate(c: Client, i: AccessTokenInputs, current: LiveToken): Promise<LiveToken> {
  let target = current;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await rotateOnce(c, i, target.id);
    } catch (err) {
      if (!(err instanceof AmbiguousWriteError)) throw err;
      const now = await showToken(c, i, target.id);
      if (now && usable(now)) continue; // not rotated: try again
      const successor = (await matching(c, i)).find((t) => t.id !== target.id);
      if (!successor) return issue(c, i); // rotated away and nothing usable left
      target = successor; // rotated, response lost: its secret is unknown, rotate the successor
    }
  }
  throw new Error(`GitlabProjectAccessToken ${i.projectPath}/${i.name}: rotation did not complete after 4 attempts`);
}

function createToken(c: Client, i: AccessTokenInputs): () => Promise<LiveToken> {
  return async () => {
    const t = LiveToken.parse(
      await c.api.ProjectAccessTokens.create(i.projectId, i.name, i.scopes as never, isoDate(i.lifetimeDays) as never, {
        accessLevel: ACCESS_LEVELS[i.accessLevel],
        description: i.description,
      } as never),
    );
    if (!t.token) throw new Error(`GitlabProjectAccessToken ${i.projectPath}/${i.name}: GitLab returned no token on create`);
    return t;
  };
}

/**
 * A successor next to the live tokens (which stay valid until retired). After a lost create
 * response the new token is found as the one that was not there before; its secret is unknown
 * and nobody holds it yet, so it is rotated to learn it (and any extra new one revoked).
 */
async function successor(c: Client, i: AccessTokenInputs): Promise<LiveToken> {
  const before = new Set((await matching(c, i)).map((t) => t.id));
  const { value } = await createOnce(`access token ${i.projectPath}/${i.name}`, {
    lookup: async () => {
      const [newest, ...extra] = (await matching(c, i)).filter((t) => !before.has(t.id));
      if (!newest) return null;
      for (const dup of extra) await ignoreGone(c.api.ProjectAccessTokens.revoke(i.projectId, dup.id));
      return rotateOnce(c, i, newest.id);
    },
    create: createToken(c, i),
  });
  return value;
}

/** A usable token with a known secret: adopt (and rotate) a matching one, else create. */
async function issue(c: Client, i: AccessTokenInputs): Promise<LiveToken> {
  const { value } = await createOnce(`access token ${i.projectPath}/${i.name}`, {
    lookup: async () => {
      const [newest, ...extra] = await matching(c, i);
      if (!newest) return null;
      for (const dup of extra) await ignoreGone(c.api.ProjectAccessTokens.revoke(i.projectId, dup.id));
      return rotateOnce(c, i, newest.id);
    },
    create: createToken(c, i),
  });
  return value;
}

async function botUsername(c: Client, userId: number, known?: { userId?: number; botUsername?: string }): Promise<string> {
  if (known?.userId === userId && known.botUsername) return known.botUsername;
  const u = z.looseObject({ username: z.string() }).parse(await c.api.Users.show(userId));
  return u.username;
}

async function state(c: Client, i: AccessTokenInputs, t: LiveToken, secret: string, olds?: Partial<AccessTokenState>): Promise<AccessTokenState> {
  return {
    ...i,
    tokenId: t.id,
    token: secret,
    expiresAt: t.expires_at ?? "",
    userId: t.user_id,
    botUsername: await botUsername(c, t.user_id, olds),
    active: usable(t),
    revoked: t.revoked,
  };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(AccessTokenInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabProjectAccessToken", AccessTokenInputs, inputs);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  // successor: a token someone may still hold (found by name) is never rotated away, only retired later
  const t = i.handover === "successor" ? await successor(c, i) : await issue(c, i);
  return { id: `${i.projectId}:${i.name}`, outs: await state(c, i, t, t.token!) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const o = olds as unknown as AccessTokenState;
  const n = checkedOr(checkInputs(AccessTokenInputs, news), news) as AccessTokenInputs;
  const replaces = changedKeys(olds, n as never, ["gitlabUrl", "projectId", "name", "accessLevel"]);
  if (!sameSet(o.scopes, n.scopes)) replaces.push("scopes"); // GitLab cannot change a token's scopes
  const dead = o.revoked === true || o.active === false;
  const due = rotationDue(o.expiresAt, typeof n.rotateBeforeDays === "number" ? n.rotateBeforeDays : o.rotateBeforeDays);
  // states written before `handover` existed were `rotate` tokens: no update just for the new key
  const other = changedKeys({ handover: "rotate", ...olds }, n as never, ["gitlabToken", "description", "lifetimeDays", "rotateBeforeDays", "role", "projectPath", "handover"]);
  return { changes: replaces.length > 0 || dead || due || other.length > 0, replaces };
}

export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const o = olds as unknown as AccessTokenState;
  const i = parseInputs("GitlabProjectAccessToken", AccessTokenInputs, news);
  const c = connect(i.gitlabUrl, i.gitlabToken);
  const current = await showToken(c, i, o.tokenId);
  let t: LiveToken;
  let secret: string;
  const handover = i.handover === "successor";
  if (!current || !usable(current) || !same(i, current)) {
    if (!handover && current?.active && !current.revoked) await ignoreGone(c.api.ProjectAccessTokens.revoke(i.projectId, current.id));
    t = handover ? await successor(c, i) : await issue(c, i);
    secret = t.token!;
  } else if (rotationDue(current.expires_at ?? undefined, i.rotateBeforeDays)) {
    // successor: the current token keeps working until its retirement, after the delivery
    t = handover ? await successor(c, i) : await rotate(c, i, current);
    secret = t.token!;
  } else {
    t = current;
    secret = o.token;
  }
  return { outs: await state(c, i, t, secret, o) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as AccessTokenState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  const t = await showToken(c, s, s.tokenId);
  const next: AccessTokenState = t
    ? { ...s, expiresAt: t.expires_at ?? "", active: usable(t), revoked: t.revoked, scopes: t.scopes as AccessTokenState["scopes"] }
    : { ...s, active: false, revoked: true };
  return { id, props: next as never, inputs: pickInputs(AccessTokenInputs, next as never) };
}

export async function remove(_id: string, props: Record<string, unknown>): Promise<void> {
  const s = props as unknown as AccessTokenState;
  const c = connect(s.gitlabUrl, s.gitlabToken);
  if (s.handover === "successor") {
    // a handover may be half-way: this token and its predecessors (older ids) go; a newer token of
    // the name is a replacement's (Pulumi creates it before deleting this one) and stays
    for (const t of await live(c, s)) if (t.id <= s.tokenId) await ignoreGone(c.api.ProjectAccessTokens.revoke(s.projectId, t.id));
    return;
  }
  const t = await showToken(c, s, s.tokenId);
  if (t?.active && !t.revoked) await ignoreGone(c.api.ProjectAccessTokens.revoke(s.projectId, t.id));
}
export { remove as delete };
