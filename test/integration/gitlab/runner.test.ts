import { afterEach, describe, expect, it } from "vitest";
import { ROLE_TIMEOUTS } from "../../../hardware/schema/ws2.ts";
import { connect } from "../../../components/gitlab/client.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import * as runner from "../../../components/gitlab/runner-impl.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { DoubleOptions, GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function setup(opts: DoubleOptions = {}) {
  const s = await startGitlab(opts);
  double = s.d;
  const p = await project.create(project.ProjectInputs.parse({ ...s.conn, role: "runner", namespace: "lab-agents", path: "runner" }) as never);
  const projectId = Number(p.id);
  const inputs = (label = "esp32-hut-01", over: Record<string, unknown> = {}) =>
    runner.CiRunnerInputs.parse({
      ...s.conn,
      projectId,
      projectPath: "lab-agents/runner",
      label,
      description: `labfleet:staging:${label}`,
      tagList: [label],
      runUntagged: false,
      locked: true,
      maximumTimeout: ROLE_TIMEOUTS.runner.maxSec,
      ...over,
    }) as unknown as Record<string, unknown>;
  return { ...s, projectId, inputs };
}

describe("CiRunner provider", () => {
  it("creates a project runner tagged with the slot label, locked, no untagged jobs, runner-role timeout", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await runner.create(inputs());
    const [live] = d.runnerList(projectId);
    expect(id).toBe(String(live!.id));
    expect(live).toMatchObject({
      description: "labfleet:staging:esp32-hut-01",
      tag_list: ["esp32-hut-01"],
      run_untagged: false,
      locked: true,
      maximum_timeout: 14400,
      paused: false,
    });
    expect(outs.token).toMatch(/^glrt-/);
    expect(d.runnerTokenValid(outs.token as string)).toBe(true);
    const post = d.requests.find((r) => r.path === "/api/v4/user/runners");
    expect(post?.status).toBe(201);
  });

  it("re-create adopts the runner (found on a later page) and resets its token", async () => {
    const { d, projectId, inputs } = await setup({ perPage: 2 });
    for (const l of ["a", "b", "c", "d"]) await runner.create(inputs(`other-${l}`));
    const first = await runner.create(inputs());
    const again = await runner.create(inputs());
    expect(again.id).toBe(first.id);
    expect(d.runnerList(projectId)).toHaveLength(5);
    expect(d.count("POST", /\/user\/runners$/)).toBe(5);
    expect(d.runnerTokenValid(again.outs.token as string)).toBe(true);
    expect(d.runnerTokenValid(first.outs.token as string)).toBe(false);
    expect(d.requests.some((r) => r.path.endsWith("/runners") && r.query.includes("page=3"))).toBe(true);
  });

  it("a 502 after GitLab created the runner does not create a second one", async () => {
    const { d, projectId, inputs } = await setup();
    d.inject({ method: "POST", path: /\/user\/runners$/, status: 502, afterApply: true });
    const { outs } = await runner.create(inputs());
    expect(d.runnerList(projectId)).toHaveLength(1);
    expect(d.count("POST", /\/user\/runners$/)).toBe(1);
    expect(d.runnerTokenValid(outs.token as string)).toBe(true);
  });

  it("removes duplicates a stock retry left behind", async () => {
    const { d, projectId, inputs, conn } = await setup();
    const c = connect(conn.gitlabUrl, conn.gitlabToken);
    for (let n = 0; n < 2; n++) {
      await c.api.Users.createCIRunner("project_type", { projectId, description: "labfleet:staging:esp32-hut-01", tag_list: ["esp32-hut-01"] } as never);
    }
    const { id } = await runner.create(inputs());
    expect(d.runnerList(projectId).map((r) => String(r.id))).toEqual([id]);
  });

  it("read detects drift of tags, untagged jobs, lock and timeout; update repairs them", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await runner.create(inputs());
    d.mutateRunner(Number(id), { tag_list: ["esp32-hut-01", "shell"], run_untagged: true, locked: false, maximum_timeout: 99999 });
    const r = await runner.read(id, outs);
    expect(r.props).toMatchObject({ tagList: ["esp32-hut-01", "shell"], runUntagged: true, locked: false, maximumTimeout: 99999 });
    expect(await runner.diff(id, r.props, inputs())).toMatchObject({ changes: true, replaces: [] });
    const u = await runner.update(id, r.props, inputs());
    expect(u.outs).toMatchObject({ tagList: ["esp32-hut-01"], runUntagged: false, locked: true, maximumTimeout: 14400, token: outs.token });
    expect(await runner.diff(id, u.outs!, inputs())).toMatchObject({ changes: false });
  });

  it("a new label replaces the runner", async () => {
    const { inputs } = await setup();
    const { id, outs } = await runner.create(inputs());
    expect(await runner.diff(id, outs, inputs("esp32-hut-02"))).toMatchObject({ changes: true, replaces: ["label"] });
  });

  it("delete twice succeeds; read after delete reports it gone", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await runner.create(inputs());
    await runner.delete(id, outs);
    await runner.delete(id, outs);
    expect(d.runnerList(projectId)).toHaveLength(0);
    expect(d.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([204, 404]);
    expect(await runner.read(id, outs)).toEqual({ id: "", props: {} });
  });

  it("check refuses a timeout under GitLab's 10 minutes and a label that is not a tag", async () => {
    const { inputs } = await setup();
    const bad = await runner.check({}, { ...inputs(), maximumTimeout: 60, label: "bad label" });
    expect(bad.failures?.map((f) => f.property).sort()).toEqual(["label", "maximumTimeout"]);
  });
});
