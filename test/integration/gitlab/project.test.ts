import { afterEach, describe, expect, it } from "vitest";
import * as project from "../../../components/gitlab/project-impl.ts";
import { rejection, startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function setup(opts = {}) {
  const s = await startGitlab(opts);
  double = s.d;
  const inputs = (over: Record<string, unknown> = {}) =>
    project.ProjectInputs.parse({
      ...s.conn,
      role: "infra",
      namespace: "lab-agents",
      path: "infra",
      description: "labfleet infra role repository, managed by Pulumi stack staging",
      stack: "staging",
      ...over,
    }) as unknown as Record<string, unknown>;
  return { ...s, inputs };
}

const posts = (d: GitlabDouble) => d.count("POST", /^\/api\/v4\/projects$/);

describe("GitlabProject provider", () => {
  it("creates a private project with main as default branch and an http(s) clone URL", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await project.create(inputs());
    const p = d.projectByPath("lab-agents/infra")!;
    expect(id).toBe(String(p.id));
    expect(outs).toMatchObject({ projectId: p.id, visibility: "private", defaultBranch: "main", pathWithNamespace: "lab-agents/infra" });
    expect(outs.httpUrlToRepo).toBe(`${d.url}/lab-agents/infra.git`);
    expect(posts(d)).toBe(1);
  });

  it("re-create adopts the existing project (GET first, no POST)", async () => {
    const { d, inputs } = await setup();
    const first = await project.create(inputs());
    const again = await project.create(inputs());
    expect(again.id).toBe(first.id);
    expect(posts(d)).toBe(1);
  });

  it("a 502 after GitLab created the project does not create a second one", async () => {
    const { d, inputs } = await setup();
    d.inject({ method: "POST", path: /^\/api\/v4\/projects$/, status: 502, afterApply: true });
    const { id } = await project.create(inputs());
    expect(posts(d)).toBe(1);
    expect(id).toBe(String(d.projectByPath("lab-agents/infra")!.id));
  });

  it("a 429 on create waits Retry-After and then creates exactly once", async () => {
    const { d, inputs } = await setup();
    d.inject({ method: "POST", path: /^\/api\/v4\/projects$/, status: 429, retryAfter: 1 });
    await project.create(inputs());
    expect(d.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 201]);
  });

  it("read detects visibility and default-branch drift; diff plans an update; update repairs it", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await project.create(inputs());
    d.mutateProject(Number(id), { visibility: "internal", default_branch: "develop" });
    const r = await project.read(id, outs);
    expect(r.props).toMatchObject({ visibility: "internal", defaultBranch: "develop" });
    expect(r.inputs).toMatchObject({ visibility: "internal" });
    const plan = await project.diff(id, r.props, inputs());
    expect(plan).toMatchObject({ changes: true, replaces: [] });
    const u = await project.update(id, r.props, inputs());
    expect(u.outs).toMatchObject({ visibility: "private", defaultBranch: "main" });
    expect(await project.diff(id, u.outs, inputs())).toMatchObject({ changes: false });
  });

  it("plans a replacement when the path changes, nothing when inputs are unchanged", async () => {
    const { inputs } = await setup();
    const { id, outs } = await project.create(inputs());
    expect(await project.diff(id, outs, inputs())).toMatchObject({ changes: false, replaces: [] });
    expect(await project.diff(id, outs, inputs({ path: "infra2" }))).toMatchObject({ changes: true, replaces: ["path"] });
  });

  it("delete twice: the second delete meets 404 and succeeds", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await project.create(inputs());
    await project.delete(id, outs);
    expect(d.projectByPath("lab-agents/infra")).toBeUndefined();
    await project.delete(id, outs);
    expect(d.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([202, 404]);
    expect(await project.read(id, outs)).toEqual({ id: "", props: {} });
  });

  it("adopts an existing product repository, converges it, and never deletes it", async () => {
    const { d, inputs, conn, group } = await setup();
    const { connect } = await import("../../../components/gitlab/client.ts");
    await connect(conn.gitlabUrl, conn.gitlabToken).api.Projects.create({ name: "product", path: "product", namespaceId: group.id, visibility: "internal" } as never);
    const existing = inputs({ role: "arch", path: "product", existing: true });
    const { id, outs } = await project.create(existing);
    expect(outs).toMatchObject({ visibility: "private", existing: true });
    expect(posts(d)).toBe(1); // only the set-up's own POST
    await project.delete(id, outs);
    expect(d.projectByPath("lab-agents/product")).toBeDefined();
  });

  it("fails clearly when an existing: true project is missing", async () => {
    const { inputs } = await setup();
    const err = await rejection(project.create(inputs({ role: "arch", path: "product", existing: true })));
    expect(err.message).toMatch(/lab-agents\/product: the project does not exist.*labfleet:gitlab\.roles\.arch\.existing/);
  });

  it("refuses to adopt a project that another stack manages", async () => {
    const { inputs } = await setup();
    await project.create(inputs({ stack: "production", description: "labfleet infra role repository, managed by Pulumi stack production" }));
    const err = await rejection(project.create(inputs()));
    expect(err.message).toMatch(/managed by Pulumi stack production.*refusing to adopt it into stack staging/);
  });

  it("check names the bad input; a bad token fails without echoing it", async () => {
    const { inputs } = await setup();
    const checked = await project.check({}, { ...inputs(), path: "bad path", gitlabUrl: "http://gitlab.example.org" });
    expect(checked.failures?.map((f) => f.property).sort()).toEqual(["gitlabUrl", "path"]);
    const token = "glpat-NOT-A-REAL-TOKEN-123";
    const err = await rejection(project.create({ ...inputs(), gitlabToken: token }));
    expect(err.message).toMatch(/401.*labfleet:gitlabToken/);
    expect(err.message).not.toContain(token);
  });

  it("check leaves inputs that are unknown during preview alone", async () => {
    const { inputs } = await setup();
    const { unknownValue: UNKNOWN } = await import("@pulumi/pulumi/runtime/rpc.js");
    const checked = await project.check({}, { ...inputs(), gitlabToken: UNKNOWN, path: UNKNOWN });
    expect(checked.failures).toBeUndefined();
  });
});
