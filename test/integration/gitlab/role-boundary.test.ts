import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as token from "../../../components/gitlab/access-token-impl.ts";
import * as bootstrap from "../../../components/gitlab/bootstrap-files-impl.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import * as boundary from "../../../components/gitlab/role-boundary-impl.ts";
import { git, startGitlab, tempDir } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await double?.close();
  double = undefined;
});

async function repo(conn: { gitlabUrl: string; gitlabToken: string }, role: string, path: string) {
  const p = await project.create(project.ProjectInputs.parse({ ...conn, role, namespace: "lab-agents", path }) as never);
  const projectId = Number(p.id);
  await bootstrap.create(
    bootstrap.BootstrapInputs.parse({
      ...conn,
      role,
      projectId,
      projectPath: `lab-agents/${path}`,
      files: { "AGENTS.md": { content: `# ${role}\n` } },
      commitMessage: "bootstrap",
      updateMessage: "update",
    }) as never,
  );
  return projectId;
}

async function setup() {
  const s = await startGitlab();
  double = s.d;
  const product = await repo(s.conn, "arch", "product");
  const infra = await repo(s.conn, "infra", "infra");
  const t = await token.create(
    token.AccessTokenInputs.parse({
      ...s.conn,
      role: "infra",
      projectId: infra,
      projectPath: "lab-agents/infra",
      name: "labfleet-t-infra",
      scopes: ["read_repository", "write_repository", "read_api"],
      accessLevel: "developer",
      lifetimeDays: 30,
      rotateBeforeDays: 7,
    }) as never,
  );
  const infraToken = t.outs.token as string;
  const inputs = (over: Record<string, unknown> = {}) =>
    boundary.RoleBoundaryInputs.parse({
      ...s.conn,
      productRole: "arch",
      productProjectId: product,
      productPath: "lab-agents/product",
      subjectRole: "infra",
      subjectUserId: t.outs.userId,
      subjectUsername: t.outs.botUsername,
      subjectToken: infraToken,
      ...over,
    }) as unknown as Record<string, unknown>;
  return { ...s, product, infra, infraToken, userId: t.outs.userId as number, inputs };
}

describe("GitlabRoleBoundary provider (infra must not reach the product repo)", () => {
  it("ok when the infra bot has no membership and its token cannot see the product project", async () => {
    const { d, product, userId, inputs } = await setup();
    const { id, outs } = await boundary.create(inputs());
    expect(id).toBe(`${product}:${userId}`);
    expect(outs).toMatchObject({ ok: true, isMember: false, memberAccessLevel: 0, productVisibility: "private", subjectCanReadProduct: false });
    expect(d.requests.some((r) => r.path === `/api/v4/projects/${product}/members/all/${userId}` && r.status === 404)).toBe(true);
  });

  it("proven with git too: the infra token clones infra but not the product repository", async () => {
    const { d, infraToken } = await setup();
    const t = tempDir("gl-boundary-");
    cleanups.push(t.cleanup);
    const own = await git(["clone", "--quiet", `${d.url}/lab-agents/infra.git`, join(t.dir, "infra")], { token: infraToken, cwd: t.dir });
    expect(own.status).toBe(0);
    const other = await git(["clone", "--quiet", `${d.url}/lab-agents/product.git`, join(t.dir, "product")], { token: infraToken, cwd: t.dir });
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/401|Authentication failed|could not read/i);
  });

  it("an inherited (group) membership breaks the boundary: read and the live diff both see it", async () => {
    const { d, group, userId, inputs } = await setup();
    const { id, outs } = await boundary.create(inputs());
    d.addGroupMember(group.id, userId, 20);
    expect(await boundary.diff(id, outs, inputs())).toMatchObject({ changes: true, replaces: [] });
    const r = await boundary.read(id, outs);
    expect(r.props).toMatchObject({ ok: false, isMember: true, memberAccessLevel: 20, subjectCanReadProduct: true });
    expect(r.props.reason).toMatch(/infra user project_\d+_bot_\w+ is a member of lab-agents\/product \(access level 20\)/);
  });

  it("a direct membership breaks it too, and so does a non-private product project", async () => {
    const { d, product, userId, inputs } = await setup();
    d.addMember(product, userId, 30);
    expect((await boundary.create(inputs())).outs).toMatchObject({ ok: false, isMember: true, memberAccessLevel: 30 });
    d.removeMember(product, userId);
    d.mutateProject(product, { visibility: "internal" });
    const f = (await boundary.update("x", {}, inputs())).outs!;
    expect(f).toMatchObject({ ok: false, isMember: false, productVisibility: "internal" });
    expect(f.reason).toMatch(/lab-agents\/product is internal/);
  });

  it("without the subject token the members API alone decides; delete is a no-op", async () => {
    const { inputs } = await setup();
    const { id, outs } = await boundary.create(inputs({ subjectToken: undefined }));
    expect(outs).toMatchObject({ ok: true, subjectCanReadProduct: null });
    expect(await boundary.diff(id, outs, inputs({ subjectToken: undefined }))).toMatchObject({ changes: false });
    await boundary.delete(id, outs);
  });
});
