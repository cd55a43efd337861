import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as bootstrap from "../../../components/gitlab/bootstrap-files-impl.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import * as protection from "../../../components/gitlab/protected-branch-impl.ts";
import { git, startGitlab, tempDir } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await double?.close();
  double = undefined;
});

const FILES = {
  "AGENTS.md": { content: "# infra agent\n\n1. `AGENTS.md`\n", executable: false },
  "documentation/coordination/workstream_board.md": { content: "# board\n", executable: false },
  "documentation/coordination/handoff_log.md": { content: "# log\n", executable: false },
  "scripts/startup.sh": { content: "#!/bin/sh\necho start\n", executable: true },
};

async function setup(opts = {}) {
  const s = await startGitlab(opts);
  double = s.d;
  const p = await project.create(
    project.ProjectInputs.parse({ ...s.conn, role: "infra", namespace: "lab-agents", path: "infra", stack: "t" }) as never,
  );
  const projectId = Number(p.id);
  const inputs = (over: Record<string, unknown> = {}) =>
    bootstrap.BootstrapInputs.parse({
      ...s.conn,
      role: "infra",
      projectId,
      projectPath: "lab-agents/infra",
      files: FILES,
      commitMessage: "labfleet: bootstrap role repository",
      updateMessage: "labfleet: update bootstrap files from templates",
      ...over,
    }) as unknown as Record<string, unknown>;
  return { ...s, projectId, projectOuts: p.outs, inputs };
}

async function clone(d: GitlabDouble, token: string, path = "lab-agents/infra") {
  const t = tempDir("gl-clone-");
  cleanups.push(t.cleanup);
  const r = await git(["clone", "--quiet", `${d.url}/${path}.git`, join(t.dir, "repo")], { token, cwd: t.dir });
  return { ...r, dir: join(t.dir, "repo") };
}

describe("GitlabBootstrapFiles provider", () => {
  it("commits every bootstrap file in ONE commit on main, visible to git clone over HTTP", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await bootstrap.create(inputs());
    expect(id).toBe(`${projectId}:bootstrap`);
    expect(d.count("POST", /repository\/commits$/)).toBe(1);

    const ls = await git(["ls-remote", `${d.url}/lab-agents/infra.git`], { token: d.adminToken });
    expect(ls.status).toBe(0);
    expect(ls.stdout).toContain(`${outs.commitSha}\trefs/heads/main`);

    const c = await clone(d, d.adminToken);
    expect(c.status).toBe(0);
    const log = (await git(["log", "--format=%H %P|%s", "main"], { cwd: c.dir })).stdout.split("\n");
    expect(log).toEqual([`${outs.commitSha} |labfleet: bootstrap role repository`]); // one root commit
    const files = (await git(["ls-tree", "-r", "--name-only", "HEAD"], { cwd: c.dir })).stdout.split("\n").sort();
    expect(files).toEqual(Object.keys(FILES).sort());
    expect(readFileSync(join(c.dir, "AGENTS.md"), "utf8")).toBe(FILES["AGENTS.md"].content);
    expect(statSync(join(c.dir, "scripts/startup.sh")).mode & 0o111).not.toBe(0);
    expect((await git(["ls-tree", "HEAD", "scripts/startup.sh"], { cwd: c.dir })).stdout).toMatch(/^100755 /);
  });

  it("main is the default branch even on a master-default instance, and GitLab protects it on the first push", async () => {
    const { d, projectId, projectOuts, inputs } = await setup({ defaultBranchName: "master" });
    // the instance default is master; the empty project was already switched to main
    expect(projectOuts).toMatchObject({ defaultBranch: "main" });
    await bootstrap.create(inputs());
    expect(d.protections(projectId).map((p) => p.name)).toEqual(["main"]);
    const r = await project.read(String(projectId), projectOuts);
    expect(r.props).toMatchObject({ defaultBranch: "main" });
  });

  it("re-create finds the files already there and commits nothing", async () => {
    const { d, inputs } = await setup();
    const first = await bootstrap.create(inputs());
    const again = await bootstrap.create(inputs());
    expect(again.outs.commitSha).toBe(first.outs.commitSha);
    expect(d.count("POST", /repository\/commits$/)).toBe(1);
  });

  it("a 502 after the commit landed is recognised: no second commit", async () => {
    const { d, inputs } = await setup();
    d.inject({ method: "POST", path: /repository\/commits$/, status: 502, afterApply: true });
    const { outs } = await bootstrap.create(inputs());
    expect(d.count("POST", /repository\/commits$/)).toBe(1);
    expect(d.repo(Number(inputs().projectId)).log("main")).toHaveLength(1);
    expect(outs.commitSha).toBe(d.repo(Number(inputs().projectId)).head("main"));
  });

  it("a template change updates only that file with a new commit on top (fast-forward, never a force push)", async () => {
    const { d, projectId, inputs } = await setup();
    const created = await bootstrap.create(inputs());
    // an agent edits the handoff log meanwhile: it must survive the template update
    const agentEdit = await import("../../../components/gitlab/client.ts").then(({ connect }) =>
      connect(d.url, d.adminToken).api.Commits.create(projectId, "main", "agent: log", [
        { action: "update", filePath: "documentation/coordination/handoff_log.md", content: "# log\nentry 1\n" },
      ] as never),
    );
    const changed = inputs({ files: { ...FILES, "AGENTS.md": { content: "# infra agent v2\n", executable: false } } });
    const plan = await bootstrap.diff(created.id, created.outs, changed);
    expect(plan).toMatchObject({ changes: true, replaces: [] });
    const u = await bootstrap.update(created.id, created.outs, changed);

    const c = await clone(d, d.adminToken);
    const log = (await git(["log", "--format=%H|%P|%s", "main"], { cwd: c.dir })).stdout.split("\n");
    expect(log).toHaveLength(3);
    const [top, middle] = log.map((l) => l.split("|"));
    expect(top![0]).toBe(u.outs!.commitSha);
    expect(top![1]).toBe((agentEdit as unknown as { id: string }).id); // parent = the head we saw
    expect(top![2]).toBe("labfleet: update bootstrap files from templates");
    expect(middle![1]).toBe(created.outs.commitSha);
    expect((await git(["show", "--name-only", "--format=", "HEAD"], { cwd: c.dir })).stdout).toBe("AGENTS.md");
    expect(readFileSync(join(c.dir, "AGENTS.md"), "utf8")).toBe("# infra agent v2\n");
    expect(readFileSync(join(c.dir, "documentation/coordination/handoff_log.md"), "utf8")).toBe("# log\nentry 1\n");
    expect(await bootstrap.diff(created.id, u.outs!, changed)).toMatchObject({ changes: false });
  });

  it("read notices a deleted bootstrap file; the next update recreates it", async () => {
    const { d, projectId, inputs } = await setup();
    const created = await bootstrap.create(inputs());
    const { connect } = await import("../../../components/gitlab/client.ts");
    await connect(d.url, d.adminToken).api.Commits.create(projectId, "main", "oops", [
      { action: "delete", filePath: "scripts/startup.sh" },
    ] as never);
    const r = await bootstrap.read(created.id, created.outs);
    expect(r.props).toMatchObject({ missing: ["scripts/startup.sh"] });
    expect(await bootstrap.diff(created.id, r.props, inputs())).toMatchObject({ changes: true });
    await bootstrap.update(created.id, r.props, inputs());
    expect(d.repo(projectId).readFile("main", "scripts/startup.sh")?.mode).toBe("100755");
  });

  it("with main protected push 'no one', template updates go through a merge request", async () => {
    const { d, projectId, inputs, conn } = await setup();
    const created = await bootstrap.create(inputs({ updateVia: "merge_request" }));
    await protection.create(
      protection.ProtectedBranchInputs.parse({ ...conn, role: "infra", projectId, projectPath: "lab-agents/infra", push: "no_one" }) as never,
    );
    const changed = inputs({ updateVia: "merge_request", files: { ...FILES, "AGENTS.md": { content: "v3\n", executable: false } } });
    const u = await bootstrap.update(created.id, created.outs, changed);
    expect(d.repo(projectId).readFile("main", "AGENTS.md")?.content.toString()).toBe("v3\n");
    expect(d.count("POST", /merge_requests$/)).toBe(1);
    expect(d.count("PUT", /merge_requests\/1\/merge$/)).toBe(1);
    expect(d.repo(projectId).branches()).toEqual(["main"]); // side branch removed
    expect(u.outs!.commitSha).toBe(d.repo(projectId).head("main"));
    expect(d.repo(projectId).isAncestor(created.outs.commitSha as string, u.outs!.commitSha as string)).toBe(true);
  });

  it("a direct push onto a 'no one' main fails with a clear hint", async () => {
    const { projectId, inputs, conn } = await setup();
    const created = await bootstrap.create(inputs());
    await protection.create(
      protection.ProtectedBranchInputs.parse({ ...conn, role: "infra", projectId, projectPath: "lab-agents/infra", push: "no_one" }) as never,
    );
    const changed = inputs({ files: { ...FILES, "AGENTS.md": { content: "v4\n", executable: false } } });
    await expect(bootstrap.update(created.id, created.outs, changed)).rejects.toThrow(/does not accept pushes.*merge request/);
  });

  it("delete leaves files and history alone", async () => {
    const { d, projectId, inputs } = await setup();
    const created = await bootstrap.create(inputs());
    await bootstrap.delete(created.id, created.outs);
    await bootstrap.delete(created.id, created.outs);
    expect(d.repo(projectId).log("main")).toHaveLength(1);
  });
});
