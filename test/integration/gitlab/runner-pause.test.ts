import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunnerApiError, gitlabRunnerControl } from "../../../hardware/lane/runner-api.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

/**
 * The quarantine's runner pause/resume (hardware/lane/runner-api.ts) against the GitLab double:
 * `PUT /runners/:id` with `paused`, a runner-repository access token with manage_runner as a
 * Maintainer; 403 for a token without the scope, 401 for a bad one; the deprecated `active`.
 */

let d: GitlabDouble;
let projectId: number;
let runnerId: number;

async function api(path: string, method: string, token: string, body: unknown) {
  const r = await fetch(`${d.url}/api/v4/${path}`, { method, headers: { "private-token": token, "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const projectToken = async (scopes: string[]) =>
  String((await api(`projects/${projectId}/access_tokens`, "POST", d.adminToken, { name: `t-${scopes.join("-")}`, scopes, access_level: 40, expires_at: expires })).body.token);

beforeAll(async () => {
  const g = await startGitlab();
  d = g.d;
  projectId = Number((await api("projects", "POST", d.adminToken, { name: "runner", namespace_id: g.group.id })).body.id);
  runnerId = Number((await api("user/runners", "POST", d.adminToken, { runner_type: "project_type", project_id: projectId, tag_list: ["esp32-hut-01"] })).body.id);
});
afterAll(async () => d?.close());

const paused = () => d.runnerList(projectId).find((r) => r.id === runnerId)?.paused;

describe("slot runner pause/resume", () => {
  it("pauses and resumes with a manage_runner token", async () => {
    const control = gitlabRunnerControl({ gitlabUrl: d.url, token: await projectToken(["manage_runner"]), runnerId });
    await control.setPaused(true);
    expect(paused()).toBe(true);
    await control.setPaused(false);
    expect(paused()).toBe(false);
  });

  it("a token without manage_runner gets 403, named with the variable and the scope; a bad token 401", async () => {
    const weak = gitlabRunnerControl({ gitlabUrl: d.url, token: await projectToken(["read_api"]), runnerId });
    const e403 = await weak.setPaused(true).catch((e: unknown) => e);
    expect(e403).toBeInstanceOf(RunnerApiError);
    expect((e403 as Error).message).toMatch(/^pause GitLab runner \d+: 403 .*LABFLEET_RUNNER_API_TOKEN needs manage_runner/);
    const bad = await gitlabRunnerControl({ gitlabUrl: d.url, token: "glpat-wrong", runnerId }).setPaused(true).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/401 .*check LABFLEET_RUNNER_API_TOKEN/);
    expect((bad as Error).message).not.toContain("glpat-wrong");
    expect(paused()).toBe(false);
  });

  it("the double honours the deprecated active flag as GitLab does", async () => {
    expect((await api(`runners/${runnerId}`, "PUT", d.adminToken, { active: false })).body.paused).toBe(true);
    expect((await api(`runners/${runnerId}`, "PUT", d.adminToken, { active: true })).body.paused).toBe(false);
  });
});
