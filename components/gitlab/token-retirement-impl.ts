/**
 * GitlabTokenRetirement: the second phase of a two-phase role-token rotation.
 * Design notes: docs/design/gitlab.md ("components/gitlab/token-retirement-impl.ts").
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ROLES } from "./roles.ts";
import { live } from "./access-token-impl.ts";
import { type Client, Connection, connect, ignoreGone, orNull } from "./client.ts";
import { changedKeys, checkInputs, checkedOr, parseInputs, pickInputs } from "../dynamic-inputs.ts";

export const TokenRetirementInputs = z.object({
  ...Connection,
  role: z.enum(ROLES),
  projectId: z.number().int().positive(),
  projectPath: z.string().min(1),
  /** The token's name: every other live token of this name is a predecessor. */
  name: z.string().min(1).max(255),
  /** GitLab id of the token that stays (the token resource's `tokenId`). */
  keepTokenId: z.number().int().positive(),
  /** What proves the new token was delivered (e.g. the delivered files' sha256): a change re-runs the retirement. */
  deliveredAs: z.array(z.string()).default([]),
});
export type TokenRetirementInputs = z.output<typeof TokenRetirementInputs>;

export interface TokenRetirementState extends TokenRetirementInputs {
  /** Token ids this resource revoked in its last run. */
  retiredTokenIds: number[];
  /** Live predecessors seen by the last read (refresh): the next up revokes them. */
  leftoverTokenIds: number[];
}

const label = (i: TokenRetirementInputs) => `GitlabTokenRetirement ${i.projectPath}/${i.name}`;

/** Revokes every live token of the name except the kept one — only while the kept one works. */
async function retire(c: Client, i: TokenRetirementInputs): Promise<TokenRetirementState> {
  const tokens = await live(c, i);
  if (!tokens.some((t) => t.id === i.keepTokenId)) {
    const kept = await orNull(c.api.ProjectAccessTokens.show(i.projectId, i.keepTokenId));
    throw new Error(
      `${label(i)}: the token to keep (id ${i.keepTokenId}) is ${kept === null ? "gone" : "not active"}; nothing was revoked — run \`pulumi refresh\` so the token resource issues a new one`,
    );
  }
  const retired: number[] = [];
  for (const t of tokens) {
    if (t.id === i.keepTokenId) continue;
    await ignoreGone(c.api.ProjectAccessTokens.revoke(i.projectId, t.id));
    retired.push(t.id);
  }
  return { ...i, retiredTokenIds: retired, leftoverTokenIds: [] };
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(TokenRetirementInputs, news);
}

export async function create(inputs: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const i = parseInputs("GitlabTokenRetirement", TokenRetirementInputs, inputs);
  return { id: `${i.projectId}:${i.name}:retirement`, outs: await retire(connect(i.gitlabUrl, i.gitlabToken), i) };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = checkedOr(checkInputs(TokenRetirementInputs, news), news);
  const replaces = changedKeys(olds, n, ["gitlabUrl", "projectId", "name"]);
  const changed = changedKeys(olds, n, ["gitlabToken", "role", "projectPath", "keepTokenId", "deliveredAs"]);
  const leftover = Array.isArray(olds.leftoverTokenIds) && olds.leftoverTokenIds.length > 0;
  return { changes: replaces.length > 0 || changed.length > 0 || leftover, replaces };
}

export async function update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const i = parseInputs("GitlabTokenRetirement", TokenRetirementInputs, news);
  return { outs: await retire(connect(i.gitlabUrl, i.gitlabToken), i) };
}

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const s = props as unknown as TokenRetirementState;
  const leftover = (await live(connect(s.gitlabUrl, s.gitlabToken), s)).filter((t) => t.id !== s.keepTokenId).map((t) => t.id);
  const next: TokenRetirementState = { ...s, leftoverTokenIds: leftover };
  return { id, props: next as never, inputs: pickInputs(TokenRetirementInputs, next as never) };
}

/** Nothing to undo: the kept token belongs to its token resource, which revokes it on its own delete. */
export async function remove(_id: string, _props: Record<string, unknown>): Promise<void> {}
export { remove as delete };
