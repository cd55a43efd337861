import { afterEach, describe, expect, it } from "vitest";
import * as token from "../../../components/gitlab/access-token-impl.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import * as retirement from "../../../components/gitlab/token-retirement-impl.ts";
import { rejection, startGitlab, tokenWorks } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

/**
 * The two phases of a successor-token rotation against the GitLab double, lost responses
 * included: `GitlabProjectAccessToken` with `handover: successor` and `GitlabTokenRetirement`.
 * (The delivery between them, into a real LXD instance: role-token-delivery.test.ts.)
 */

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
type Outs = Record<string, unknown> & { tokenId: number; token: string };

async function setup() {
  const s = await startGitlab();
  double = s.d;
  const p = await project.create(project.ProjectInputs.parse({ ...s.conn, role: "runner", namespace: "lab-agents", path: "runner" }) as never);
  const projectId = Number(p.id);
  const base = { ...s.conn, role: "runner", projectId, projectPath: "lab-agents/runner", name: "labfleet-staging-runner" };
  const inputs = () =>
    token.AccessTokenInputs.parse({
      ...base,
      scopes: ["read_repository", "write_repository"],
      accessLevel: "developer",
      lifetimeDays: 90,
      rotateBeforeDays: 14,
      handover: "successor",
    }) as unknown as Record<string, unknown>;
  const retireInputs = (keepTokenId: number, deliveredAs = ["sha-1"]) => retirement.TokenRetirementInputs.parse({ ...base, keepTokenId, deliveredAs }) as unknown as Record<string, unknown>;
  const live = () => s.d.accessTokens(projectId).filter((t) => t.active && !t.revoked && t.expires_at > day(0)).map((t) => t.id).sort();
  const works = (secret: string) => tokenWorks(s.d.url, secret);
  /** A created token, due for rotation. */
  const due = async () => {
    const { id, outs } = await token.create(inputs());
    s.d.setTokenExpiry(outs.tokenId as number, day(5));
    return { id, outs: { ...outs, expiresAt: day(5) } as Outs };
  };
  return { ...s, projectId, inputs, retireInputs, live, works, due };
}

describe("successor rotation (phase 1)", () => {
  it("a due update creates a second token: both work until retired; never GitLab's rotate", async () => {
    const { d, inputs, live, works, due } = await setup();
    const { id, outs } = await due();
    expect(await token.diff(id, outs, inputs())).toEqual({ changes: true, replaces: [] });
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    expect(next.tokenId).not.toBe(outs.tokenId);
    expect(next).toMatchObject({ expiresAt: day(90), active: true, handover: "successor" });
    expect(live()).toEqual([outs.tokenId, next.tokenId].sort());
    expect([await works(outs.token), await works(next.token)]).toEqual([true, true]);
    expect(d.count("POST", /\/rotate$/)).toBe(0);
    expect(await token.diff(id, next, inputs())).toMatchObject({ changes: false });
  });

  it("a lost create response (502 after GitLab created it): the new token is found, rotated to learn its secret; no unknown live token", async () => {
    const { d, inputs, live, works, due } = await setup();
    const { id, outs } = await due();
    d.inject({ method: "POST", path: /\/access_tokens$/, status: 502, afterApply: true });
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    expect(d.count("POST", /\/access_tokens$/)).toBe(2); // the initial token, then the successor: never re-sent
    expect(d.count("POST", /\/access_tokens\/\d+\/rotate$/)).toBe(1); // the lost one, which nobody holds
    expect(live()).toEqual([outs.tokenId, next.tokenId].sort()); // the old (held by the host) and the one we know
    expect([await works(outs.token), await works(next.token)]).toEqual([true, true]);
  });

  it("create with matching tokens left over (lost state) keeps them live for the retirement instead of rotating them away", async () => {
    const { d, inputs, live, works } = await setup();
    const first = (await token.create(inputs())).outs as Outs;
    const second = (await token.create(inputs())).outs as Outs;
    expect(d.count("POST", /\/rotate$/)).toBe(0);
    expect(live()).toEqual([first.tokenId, second.tokenId].sort());
    expect(await works(first.token)).toBe(true);
  });

  it("delete in the middle of a handover revokes the token and its predecessor; a replacement's newer token stays", async () => {
    const { inputs, live, due, works } = await setup();
    const { id, outs } = await due();
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    await token.delete(id, next);
    expect(live()).toEqual([]);
    await token.delete(id, next);
    // `up --replace`: the new resource's token is created first, then the old resource is deleted
    const old = (await token.create(inputs())).outs as Outs;
    const replacement = (await token.create(inputs())).outs as Outs;
    await token.delete(id, old);
    expect(live()).toEqual([replacement.tokenId]);
    expect(await works(replacement.token)).toBe(true);
  });
});

describe("GitlabTokenRetirement (phase 2)", () => {
  it("revokes every other live token of the name, keeps the new one; idempotent", async () => {
    const { inputs, retireInputs, live, works, due } = await setup();
    const { id, outs } = await due();
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    const r = await retirement.create(retireInputs(next.tokenId));
    expect(r.outs).toMatchObject({ retiredTokenIds: [outs.tokenId], leftoverTokenIds: [] });
    expect(live()).toEqual([next.tokenId]);
    expect([await works(outs.token), await works(next.token)]).toEqual([false, true]);
    const again = await retirement.update(r.id, r.outs, retireInputs(next.tokenId, ["sha-2"]));
    expect(again.outs).toMatchObject({ retiredTokenIds: [] });
  });

  it("a lost DELETE response is retried: GitLab answers 404 for the revoked token, which counts as done", async () => {
    const { d, inputs, retireInputs, live, due } = await setup();
    const { id, outs } = await due();
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    d.inject({ method: "DELETE", path: /\/access_tokens\/\d+$/, status: 502, afterApply: true });
    await retirement.create(retireInputs(next.tokenId));
    expect(d.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([502, 404]);
    expect(live()).toEqual([next.tokenId]);
  });

  it("refuses to revoke anything while the token to keep does not work (a retry after refresh converges)", async () => {
    const { d, inputs, retireInputs, live, due } = await setup();
    const { id, outs } = await due();
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    d.revokeToken(next.tokenId);
    const err = await rejection(retirement.create(retireInputs(next.tokenId)));
    expect(err.message).toBe(
      `GitlabTokenRetirement lab-agents/runner/labfleet-staging-runner: the token to keep (id ${next.tokenId}) is not active; nothing was revoked — run \`pulumi refresh\` so the token resource issues a new one`,
    );
    expect(live()).toEqual([outs.tokenId]);
    expect(err.message).not.toContain(next.token);
  });

  it("read (refresh) finds a predecessor someone created again; the next diff retires it", async () => {
    const { inputs, retireInputs, due } = await setup();
    const { id, outs } = await due();
    const next = (await token.update(id, outs, inputs())).outs as Outs;
    const r = await retirement.create(retireInputs(next.tokenId));
    const extra = (await token.create(inputs())).outs as Outs; // e.g. an operator re-ran something by hand
    const read = await retirement.read(r.id, r.outs);
    expect(read.props).toMatchObject({ leftoverTokenIds: [extra.tokenId] });
    expect((await retirement.diff(r.id, read.props!, retireInputs(next.tokenId))).changes).toBe(true);
  });
});

describe("the double follows GitLab's project access token API", () => {
  it("self-rotate: the token rotates itself (api/self_rotate scope), 403 without, 405 for a non-project token", async () => {
    const { d, projectId, inputs, works } = await setup();
    const base = inputs();
    const plainToken = (await token.create({ ...base, name: "reader" })).outs as Outs;
    const selfToken = (await token.create({ ...base, name: "self", scopes: ["self_rotate", "read_repository"] })).outs as Outs;
    const post = (secret: string) => fetch(`${d.url}/api/v4/projects/${projectId}/access_tokens/self/rotate`, { method: "POST", headers: { "PRIVATE-TOKEN": secret } });
    const ok = await post(selfToken.token);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { token: string; id: number; expires_at: string };
    expect(body.expires_at).toBe(day(7));
    expect([await works(body.token), await works(selfToken.token)]).toEqual([true, false]);
    expect((await post(plainToken.token)).status).toBe(403);
    expect((await post(d.adminToken)).status).toBe(405);
    expect((await post("glpat-nobody")).status).toBe(401);
  });

  it("rotate of an unknown id: 404 for an administrator; revoke: 204, then 404", async () => {
    const { d, projectId, inputs } = await setup();
    const t = (await token.create(inputs())).outs as Outs;
    const call = (method: string, path: string) => fetch(`${d.url}/api/v4/projects/${projectId}/access_tokens/${path}`, { method, headers: { "PRIVATE-TOKEN": d.adminToken } });
    expect((await call("POST", "999999/rotate")).status).toBe(404);
    expect((await call("DELETE", String(t.tokenId))).status).toBe(204);
    expect((await call("DELETE", String(t.tokenId))).status).toBe(404);
    expect((await call("DELETE", "999999")).status).toBe(404);
  });
});
