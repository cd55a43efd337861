import { afterEach, describe, expect, it } from "vitest";
import * as bootstrap from "../../../components/gitlab/bootstrap-files-impl.ts";
import * as project from "../../../components/gitlab/project-impl.ts";
import * as protection from "../../../components/gitlab/protected-branch-impl.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { DoubleOptions, GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

/** A project whose bootstrap commit created main (so GitLab auto-protected it: push 40 / merge 40). */
async function setup(opts: DoubleOptions = {}) {
  const s = await startGitlab(opts);
  double = s.d;
  const p = await project.create(project.ProjectInputs.parse({ ...s.conn, role: "infra", namespace: "lab-agents", path: "infra" }) as never);
  const projectId = Number(p.id);
  await bootstrap.create(
    bootstrap.BootstrapInputs.parse({
      ...s.conn,
      role: "infra",
      projectId,
      projectPath: "lab-agents/infra",
      files: { "AGENTS.md": { content: "x\n" } },
      commitMessage: "bootstrap",
      updateMessage: "update",
    }) as never,
  );
  const inputs = (over: Record<string, unknown> = {}) =>
    protection.ProtectedBranchInputs.parse({ ...s.conn, role: "infra", projectId, projectPath: "lab-agents/infra", ...over }) as unknown as Record<
      string,
      unknown
    >;
  return { ...s, projectId, inputs };
}

const levels = (d: GitlabDouble, id: number) =>
  d.protections(id).map((p) => ({
    name: p.name,
    push: p.push_access_levels.map((l) => l.access_level),
    merge: p.merge_access_levels.map((l) => l.access_level),
    force: p.allow_force_push,
  }));

describe("GitlabProtectedBranch provider", () => {
  it("adopts GitLab's automatic default-branch protection (already exists) without a failing POST", async () => {
    const { d, projectId, inputs } = await setup();
    expect(levels(d, projectId)).toEqual([{ name: "main", push: [40], merge: [40], force: false }]);
    const { id, outs } = await protection.create(inputs());
    expect(id).toBe(`${projectId}:main`);
    expect(outs).toMatchObject({ protected: true, pushAccessLevels: [40], mergeAccessLevels: [40], allowForcePush: false });
    expect(d.count("POST", /protected_branches$/)).toBe(0);
  });

  it("turns the 409 of a protection that appeared between lookup and POST into an update", async () => {
    const { d, projectId, inputs } = await setup({ autoProtectDefaultBranch: false });
    expect(d.protections(projectId)).toEqual([]);
    // GitLab (or a person) protects main with developers allowed to push right before our POST
    d.before("POST", /protected_branches$/, () => d.setProtection(projectId, "main", 30, 30));
    const { outs } = await protection.create(inputs());
    // 409 → adopt → converge (Free: PATCH ignored → unprotect + protect with the wanted levels)
    expect(d.requests.filter((r) => /protected_branches/.test(r.path) && r.method !== "GET").map((r) => `${r.method} ${r.status}`)).toEqual([
      "POST 409",
      "PATCH 200",
      "DELETE 204",
      "POST 201",
    ]);
    expect(outs).toMatchObject({ pushAccessLevels: [40], mergeAccessLevels: [40] });
    expect(levels(d, projectId)).toEqual([{ name: "main", push: [40], merge: [40], force: false }]);
  });

  it("push 'no one' on GitLab Free: PATCH is ignored there, so it re-protects (unprotect + protect)", async () => {
    const { d, projectId, inputs } = await setup({ tier: "free" });
    const { outs } = await protection.create(inputs({ push: "no_one" }));
    expect(outs).toMatchObject({ pushAccessLevels: [0], mergeAccessLevels: [40] });
    expect(levels(d, projectId)).toEqual([{ name: "main", push: [0], merge: [40], force: false }]);
    expect(d.count("PATCH", /protected_branches\/main$/)).toBe(1);
    expect(d.count("DELETE", /protected_branches\/main$/)).toBe(1);
  });

  it("push 'no one' on GitLab Premium: converges with one PATCH (_destroy + new level), never unprotects", async () => {
    const { d, projectId, inputs } = await setup({ tier: "premium" });
    await protection.create(inputs({ push: "no_one" }));
    expect(levels(d, projectId)).toEqual([{ name: "main", push: [0], merge: [40], force: false }]);
    expect(d.count("PATCH", /protected_branches\/main$/)).toBe(1);
    expect(d.count("DELETE", /protected_branches\/main$/)).toBe(0);
  });

  it("read detects loosened protection and removal; update restores it", async () => {
    const { d, projectId, inputs } = await setup();
    const { id, outs } = await protection.create(inputs());
    d.setProtection(projectId, "main", 30, 30);
    const loosened = await protection.read(id, outs);
    expect(loosened.props).toMatchObject({ protected: true, pushAccessLevels: [30] });
    expect(await protection.diff(id, loosened.props, inputs())).toMatchObject({ changes: true, replaces: [] });
    const fixed = await protection.update(id, loosened.props, inputs());
    expect(fixed.outs).toMatchObject({ pushAccessLevels: [40], mergeAccessLevels: [40] });

    d.unprotect(projectId, "main");
    const gone = await protection.read(id, fixed.outs!);
    expect(gone.props).toMatchObject({ protected: false, pushAccessLevels: [] });
    expect(await protection.diff(id, gone.props, inputs())).toMatchObject({ changes: true });
    await protection.update(id, gone.props, inputs());
    expect(levels(d, projectId)).toEqual([{ name: "main", push: [40], merge: [40], force: false }]);
    expect(await protection.diff(id, (await protection.read(id, outs)).props, inputs())).toMatchObject({ changes: false });
  });

  it("delete twice succeeds; retainOnDelete leaves the protection in place", async () => {
    const { d, projectId, inputs } = await setup();
    const kept = await protection.create(inputs({ retainOnDelete: true }));
    await protection.delete(kept.id, kept.outs);
    expect(d.protections(projectId)).toHaveLength(1);
    const owned = await protection.create(inputs());
    await protection.delete(owned.id, owned.outs);
    await protection.delete(owned.id, owned.outs);
    expect(d.protections(projectId)).toHaveLength(0);
    expect(d.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([204, 404]);
  });
});
