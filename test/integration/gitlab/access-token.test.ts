import { afterEach, describe, expect, it } from "vitest";
import * as token from "../../../components/gitlab/access-token-impl.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import { rejection, startGitlab, tokenWorks } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

async function setup() {
  const s = await startGitlab();
  double = s.d;
  const p = await project.create(project.ProjectInputs.parse({ ...s.conn, role: "infra", namespace: "lab-agents", path: "infra" }) as never);
  const projectId = Number(p.id);
  const inputs = (over: Record<string, unknown> = {}) =>
    token.AccessTokenInputs.parse({
      ...s.conn,
      role: "infra",
      projectId,
      projectPath: "lab-agents/infra",
      name: "labfleet-staging-infra",
      scopes: ["read_repository", "write_repository"],
      accessLevel: "developer",
      lifetimeDays: 90,
      rotateBeforeDays: 14,
      ...over,
    }) as unknown as Record<string, unknown>;
  const active = () => s.d.accessTokens(projectId).filter((t) => t.active && t.expires_at > day(0));
  /** Does this secret authenticate right now? (GET /user with it) */
  const works = (secret: string) => tokenWorks(s.d.url, secret);
  return { ...s, projectId, inputs, active, works };
}

describe("GitlabProjectAccessToken provider", () => {
  it("creates a token with the configured scopes, level and an expiry; the token is an output that works", async () => {
    const { projectId, inputs, active, works } = await setup();
    const { id, outs } = await token.create(inputs());
    expect(id).toBe(`${projectId}:labfleet-staging-infra`);
    expect(active()).toHaveLength(1);
    const live = active()[0]!;
    expect(live).toMatchObject({ name: "labfleet-staging-infra", scopes: ["read_repository", "write_repository"], access_level: 30, expires_at: day(90) });
    expect(outs).toMatchObject({ tokenId: live.id, expiresAt: day(90), userId: live.user_id, active: true, revoked: false });
    expect(outs.botUsername).toMatch(/^project_\d+_bot_/);
    expect(outs.token).toMatch(/^glpat-/);
    expect(await works(outs.token as string)).toBe(true);
  });

  it("re-create adopts the existing token (rotates it to learn the secret) — still one active token", async () => {
    const { inputs, active, works } = await setup();
    const first = await token.create(inputs());
    const again = await token.create(inputs());
    expect(again.id).toBe(first.id);
    expect(active()).toHaveLength(1);
    expect(again.outs.tokenId).not.toBe(first.outs.tokenId);
    expect(await works(again.outs.token as string)).toBe(true);
    expect(await works(first.outs.token as string)).toBe(false);
  });

  it("a 502 after GitLab created the token does not leave a second token", async () => {
    const { d, inputs, active, works } = await setup();
    d.inject({ method: "POST", path: /\/access_tokens$/, status: 502, afterApply: true });
    const { outs } = await token.create(inputs());
    expect(d.count("POST", /\/access_tokens$/)).toBe(1);
    expect(active()).toHaveLength(1);
    expect(await works(outs.token as string)).toBe(true);
  });

  it("a 429 on create waits Retry-After, then creates once", async () => {
    const { d, inputs, active } = await setup();
    d.inject({ method: "POST", path: /\/access_tokens$/, status: 429, retryAfter: 1 });
    await token.create(inputs());
    expect(d.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([201, 429, 201]); // project, token×2
    expect(active()).toHaveLength(1);
  });

  it("no rotation while far from expiry: diff reports nothing", async () => {
    const { inputs } = await setup();
    const { id, outs } = await token.create(inputs());
    expect(await token.diff(id, outs, inputs())).toMatchObject({ changes: false, replaces: [] });
  });

  it("within rotateBeforeDays of expiry, an up rotates: new secret and expiry, the old token stops working at once", async () => {
    const { d, inputs, active, works } = await setup();
    const { id, outs } = await token.create(inputs());
    d.setTokenExpiry(outs.tokenId as number, day(10));
    const refreshed = (await token.read(id, outs)).props;
    expect(refreshed).toMatchObject({ expiresAt: day(10) });
    expect(await token.diff(id, refreshed, inputs())).toMatchObject({ changes: true, replaces: [] });
    const { outs: rotated } = await token.update(id, refreshed, inputs());
    expect(rotated!.tokenId).not.toBe(outs.tokenId);
    expect(rotated!.expiresAt).toBe(day(90));
    expect(d.count("POST", /access_tokens\/\d+\/rotate$/)).toBe(1);
    expect(active()).toHaveLength(1);
    expect(await works(rotated!.token as string)).toBe(true);
    expect(await works(outs.token as string)).toBe(false);
    expect(await token.diff(id, rotated!, inputs())).toMatchObject({ changes: false });
  });

  it("diff alone (no refresh) plans the rotation from the stored expiry", async () => {
    const { inputs } = await setup();
    const { id, outs } = await token.create(inputs());
    expect(await token.diff(id, { ...outs, expiresAt: day(13) }, inputs())).toMatchObject({ changes: true });
    expect(await token.diff(id, { ...outs, expiresAt: day(15) }, inputs())).toMatchObject({ changes: false });
  });

  it("a lost rotate response (502 after GitLab rotated) ends with one active token whose secret we hold", async () => {
    const { d, inputs, active, works } = await setup();
    const { id, outs } = await token.create(inputs());
    d.setTokenExpiry(outs.tokenId as number, day(3));
    d.inject({ method: "POST", path: /access_tokens\/\d+\/rotate$/, status: 502, afterApply: true });
    const { outs: rotated } = await token.update(id, { ...outs, expiresAt: day(3) }, inputs());
    expect(active()).toHaveLength(1);
    expect(active()[0]!.id).toBe(rotated!.tokenId);
    expect(await works(rotated!.token as string)).toBe(true);
  });

  it("a revoked token is detected by read and replaced by a new one (never rotated: reuse detection)", async () => {
    const { d, inputs, active, works } = await setup();
    const { id, outs } = await token.create(inputs());
    d.revokeToken(outs.tokenId as number);
    const r = await token.read(id, outs);
    expect(r.props).toMatchObject({ active: false, revoked: true });
    expect(await token.diff(id, r.props, inputs())).toMatchObject({ changes: true, replaces: [] });
    const rotations = d.count("POST", /rotate$/);
    const { outs: fresh } = await token.update(id, r.props, inputs());
    expect(d.count("POST", /rotate$/)).toBe(rotations);
    expect(active()).toHaveLength(1);
    expect(await works(fresh!.token as string)).toBe(true);
  });

  it("an expired token is detected and replaced", async () => {
    const { d, inputs, active } = await setup();
    const { id, outs } = await token.create(inputs());
    d.setTokenExpiry(outs.tokenId as number, day(0));
    const r = await token.read(id, outs);
    expect(r.props).toMatchObject({ active: false });
    const { outs: fresh } = await token.update(id, r.props, inputs());
    expect(active().map((t) => t.id)).toEqual([fresh!.tokenId]);
  });

  it("scope changes replace the token (GitLab cannot edit scopes)", async () => {
    const { inputs } = await setup();
    const { id, outs } = await token.create(inputs());
    expect(await token.diff(id, outs, inputs({ scopes: ["read_repository"] }))).toMatchObject({ changes: true, replaces: ["scopes"] });
  });

  it("delete revokes; delete twice succeeds", async () => {
    const { inputs, active, works } = await setup();
    const { id, outs } = await token.create(inputs());
    await token.delete(id, outs);
    await token.delete(id, outs);
    expect(active()).toHaveLength(0);
    expect(await works(outs.token as string)).toBe(false);
  });

  it("check names bad inputs; create refuses missing scopes; a bad admin token errors without echoing it", async () => {
    const { inputs } = await setup();
    const bad = await token.check({}, { ...inputs(), scopes: ["sudo"], lifetimeDays: 0 });
    expect(bad.failures?.map((f) => f.property).sort()).toEqual(["lifetimeDays", "scopes.0"]);
    await expect(token.create({ ...inputs(), scopes: [] })).rejects.toThrow(/GitlabProjectAccessToken: invalid inputs — scopes: at least one scope/);
    const secret = "glpat-WRONG-ADMIN-TOKEN-42";
    const err = await rejection(token.create({ ...inputs(), gitlabToken: secret }));
    expect(err.message).toMatch(/401/);
    expect(err.message).not.toContain(secret);
  });
});
