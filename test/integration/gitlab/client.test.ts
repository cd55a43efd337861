import { Gitlab } from "@gitbeaker/rest";
import { afterEach, describe, expect, it } from "vitest";
import { AmbiguousWriteError, GitlabApiError, connect, retryAfterMs } from "../../../components/gitlab/client.ts";
import { rejection, startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function projectWithTokens(linkHeader: boolean, n: number) {
  const { d, group, conn } = await startGitlab({ perPage: 2, linkHeader });
  double = d;
  const c = connect(conn.gitlabUrl, conn.gitlabToken);
  const p = (await c.api.Projects.create({ name: "infra", path: "infra", namespaceId: group.id } as never)) as unknown as { id: number };
  for (let i = 0; i < n; i++) await c.api.ProjectAccessTokens.create(p.id, `t${i}`, ["read_repository"] as never, inFuture(30) as never);
  return { d, c, p };
}

describe("GitLab client (gitbeaker with labfleet's request handler)", () => {
  it("follows every page through Link headers", async () => {
    const { d, c, p } = await projectWithTokens(true, 5);
    const all = (await c.api.ProjectAccessTokens.all(p.id)) as unknown as { name: string }[];
    expect(all.map((t) => t.name)).toEqual(["t0", "t1", "t2", "t3", "t4"]);
    expect(d.count("GET", /access_tokens$/)).toBe(3);
  });

  it("follows x-next-page when GitLab sends no Link header", async () => {
    const { d, c, p } = await projectWithTokens(false, 5);
    const all = (await c.api.ProjectAccessTokens.all(p.id)) as unknown as { name: string }[];
    expect(all).toHaveLength(5);
    expect(d.requests.filter((r) => r.path.endsWith("/access_tokens") && r.method === "GET").map((r) => r.query)).toEqual([
      "",
      "?page=2",
      "?page=3",
    ]);
  });

  it("honours Retry-After on 429 and retries (any method: nothing was applied)", async () => {
    const { d, group, conn } = await startGitlab();
    double = d;
    d.inject({ method: "POST", path: /^\/api\/v4\/projects$/, status: 429, retryAfter: 1 });
    const c = connect(conn.gitlabUrl, conn.gitlabToken);
    const t0 = Date.now();
    await c.api.Projects.create({ name: "infra", path: "infra", namespaceId: group.id } as never);
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(1000);
    expect(d.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 201]);
  });

  it("gives up with a clear error when Retry-After exceeds the cap", async () => {
    const { d, conn } = await startGitlab();
    double = d;
    d.inject({ method: "GET", path: /^\/api\/v4\/user$/, status: 429, retryAfter: 3600 });
    const err = await rejection(connect(conn.gitlabUrl, conn.gitlabToken).api.Users.showCurrentUser());
    expect(err).toBeInstanceOf(GitlabApiError);
    expect(err.message).toMatch(/GET \/user failed with 429: rate limited; Retry-After 3600s exceeds 120s/);
  });

  it("retries an idempotent GET after 502 but turns a POST's 502 into AmbiguousWriteError (no blind resend)", async () => {
    const { d, group, conn } = await startGitlab();
    double = d;
    const c = connect(conn.gitlabUrl, conn.gitlabToken, { maxAttempts: 4, maxRetryAfterSeconds: 10, backoffMs: 10, timeoutMs: 5000 });
    d.inject({ method: "GET", path: /^\/api\/v4\/user$/, status: 502 });
    await c.api.Users.showCurrentUser();
    expect(d.requests.map((r) => r.status)).toEqual([502, 200]);

    d.inject({ method: "POST", path: /^\/api\/v4\/projects$/, status: 502, afterApply: true });
    const err = await rejection(c.api.Projects.create({ name: "infra", path: "infra", namespaceId: group.id } as never));
    expect(err).toBeInstanceOf(AmbiguousWriteError);
    expect(d.count("POST", /^\/api\/v4\/projects$/)).toBe(1);
    expect(d.projectByPath("lab-agents/infra")).toBeDefined();
  });

  it("stock gitbeaker resends a POST after a 502 and duplicates the token (why labfleet replaces its handler)", async () => {
    const { d, c, p } = await projectWithTokens(true, 0);
    const stock = new Gitlab({ host: d.url, token: d.adminToken });
    d.inject({ method: "POST", path: /\/access_tokens$/, status: 502, afterApply: true });
    await stock.ProjectAccessTokens.create(p.id, "dup", ["read_repository"] as never, inFuture(30) as never);
    const all = (await c.api.ProjectAccessTokens.all(p.id)) as unknown as { name: string; active: boolean }[];
    expect(all.filter((t) => t.name === "dup" && t.active)).toHaveLength(2);
  });

  it("a bad token fails with a clear message that names the key and never contains the token", async () => {
    const { d, conn } = await startGitlab();
    double = d;
    const bad = "glpat-THIS-IS-A-WRONG-TOKEN";
    const err = await rejection(connect(conn.gitlabUrl, bad).api.Projects.show("lab-agents/infra"));
    expect(err.message).toContain("401");
    expect(err.message).toContain("labfleet:gitlabToken");
    expect(err.message).not.toContain(bad);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(bad);
    expect(String(err.stack)).not.toContain(bad);
  });

  it("refuses plain http:// except on loopback", () => {
    expect(() => connect("http://gitlab.example.org", "x")).toThrow(/https/);
    expect(() => connect("https://gitlab.example.org", "x")).not.toThrow();
  });

  it("parses Retry-After as seconds or HTTP date", () => {
    expect(retryAfterMs("7")).toBe(7000);
    const now = Date.parse("2030-01-01T00:00:00Z");
    expect(retryAfterMs("Tue, 01 Jan 2030 00:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
