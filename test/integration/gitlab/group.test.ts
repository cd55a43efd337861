import { afterEach, describe, expect, it } from "vitest";
import { connect } from "../../../components/gitlab/client.ts";
import * as group from "../../../components/gitlab/group-impl.ts";
import { rejection, startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";

let double: GitlabDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function setup() {
  const s = await startGitlab();
  double = s.d;
  const inputs = (over: Record<string, unknown> = {}) =>
    group.GroupInputs.parse({
      ...s.conn,
      fullPath: "lab/infra",
      roles: ["infra"],
      description: "labfleet namespace of the infra role repositories, managed by Pulumi stack staging",
      ...over,
    }) as unknown as Record<string, unknown>;
  return { ...s, inputs, api: connect(s.d.url, s.d.adminToken).api };
}

const groupPosts = (d: GitlabDouble) => d.requests.filter((r) => r.method === "POST" && r.path === "/api/v4/groups");

describe("GitlabGroup provider", () => {
  it("creates a missing namespace and its missing parent (POST /groups with parent_id), private, owned", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await group.create(inputs());
    const lab = d.groups.find("lab")!;
    const infra = d.groups.find("lab/infra")!;
    expect(id).toBe(String(infra.id));
    expect(infra.parent_id).toBe(lab.id);
    expect([lab.visibility, infra.visibility]).toEqual(["private", "private"]);
    expect(infra.description).toMatch(/managed by Pulumi stack staging/);
    expect(outs).toMatchObject({ groupId: infra.id, livePath: "lab/infra", liveVisibility: "private", createdPaths: ["lab", "lab/infra"] });
    expect(groupPosts(d)).toHaveLength(2);
  });

  it("re-create and an existing namespace are adopted: no POST, nothing recorded as created", async () => {
    const { d, inputs } = await setup();
    d.addGroup("lab/infra");
    const { outs } = await group.create(inputs());
    expect(outs.createdPaths).toEqual([]);
    expect(groupPosts(d)).toHaveLength(0);
    // the default layout: the shared lab-agents group of every stack file
    const shared = await group.create(inputs({ fullPath: "lab-agents", roles: ["arch", "infra", "runner"] }));
    expect(shared.outs.createdPaths).toEqual([]);
  });

  it("a 502 after GitLab created the group does not create a second one (looked up again)", async () => {
    const { d, inputs } = await setup();
    d.inject({ method: "POST", path: /^\/api\/v4\/groups$/, status: 502, afterApply: true });
    const { outs } = await group.create(inputs({ fullPath: "runner", roles: ["runner"] }));
    expect([...d.groups.byId.values()].filter((g) => g.full_path === "runner")).toHaveLength(1);
    expect(outs.createdPaths).toEqual([]); // adopted after the ambiguous write: never deleted by us
  });

  it("create: false refuses a missing namespace naming the setting; nothing is created", async () => {
    const { d, inputs } = await setup();
    const e = await rejection(group.create(inputs({ create: false })));
    expect(e.message).toMatch(/namespace lab not found and labfleet:gitlab.namespaces.create is false/);
    expect(groupPosts(d)).toHaveLength(0);
  });

  it("read detects a deleted group, a rename and visibility drift; diff and update repair them", async () => {
    const { d, inputs } = await setup();
    const { id, outs } = await group.create(inputs());
    const infra = d.groups.find("lab/infra")!;
    // visibility changed by hand on a group we created
    infra.visibility = "internal";
    const seen = await group.read(id, outs);
    expect(seen.props).toMatchObject({ liveVisibility: "internal" });
    const plan = await group.diff(id, seen.props!, inputs());
    expect(plan).toMatchObject({ changes: true, replaces: [] });
    const fixed = await group.update(id, seen.props!, inputs());
    expect(infra.visibility).toBe("private");
    expect(fixed.outs).toMatchObject({ liveVisibility: "private" });
    // renamed by hand: the wanted path is missing, so the group is replaced (looked up or created again)
    d.groups.rename(infra.id, "infra-old");
    const renamed = await group.read(id, fixed.outs!);
    expect(renamed.props).toMatchObject({ livePath: "lab/infra-old" });
    expect((await group.diff(id, renamed.props!, inputs())).replaces).toEqual(["fullPath"]);
    // deleted: read reports it gone
    await connect(d.url, d.adminToken).api.Groups.remove(infra.id);
    expect(await group.read(id, renamed.props!)).toEqual({ id: "", props: {} });
  });

  it("no drift, no change: diff is empty; an adopted group's visibility is left alone", async () => {
    const { d, inputs } = await setup();
    const created = await group.create(inputs());
    expect(await group.diff(created.id, (await group.read(created.id, created.outs)).props!, inputs())).toMatchObject({ changes: false });
    const adoptedGroup = d.addGroup("shared");
    adoptedGroup.visibility = "internal";
    const adopted = await group.create(inputs({ fullPath: "shared" }));
    const seen = await group.read(adopted.id, adopted.outs);
    expect(await group.diff(adopted.id, seen.props!, inputs({ fullPath: "shared" }))).toMatchObject({ changes: false });
  });

  it("delete removes only empty groups it created, deepest first; a group with a project stays (and its parents)", async () => {
    const { d, inputs, api } = await setup();
    const a = await group.create(inputs());
    const b = await group.create(inputs({ fullPath: "runner/hil", roles: ["runner"] }));
    await api.Projects.create({ name: "runner-agent", path: "runner-agent", namespaceId: d.groups.find("runner/hil")!.id } as never);
    await group.delete(a.id, a.outs);
    await group.delete(b.id, b.outs);
    expect(d.groups.find("lab/infra")).toBeUndefined();
    expect(d.groups.find("lab")).toBeUndefined();
    expect(d.groups.find("runner/hil")).toBeDefined();
    expect(d.groups.find("runner")).toBeDefined();
    // adopted groups are never deleted
    d.addGroup("kept");
    const kept = await group.create(inputs({ fullPath: "kept" }));
    await group.delete(kept.id, kept.outs);
    expect(d.groups.find("kept")).toBeDefined();
  });
});

describe("the double's Groups and Namespaces API (as GitLab documents it)", () => {
  it("400 for a taken path, a subgroup more visible than its parent and a bad path; 404 unknown parent; 403 for a bot", async () => {
    const { d, api } = await setup();
    const lab = d.addGroup("lab");
    await api.Groups.create("infra", "infra", { parentId: lab.id } as never);
    const taken = await rejection(api.Groups.create("infra", "infra", { parentId: lab.id } as never));
    expect(taken.message).toMatch(/POST \/groups failed with 400: Failed to save group \{:path=>\["has already been taken"\]\}/);
    const visible = await rejection(api.Groups.create("pub", "pub", { parentId: lab.id, visibility: "public" } as never));
    expect(visible.message).toMatch(/400: .*public is not allowed since the parent group has a private visibility/);
    expect((await rejection(api.Groups.create("x", "-x", {} as never))).message).toMatch(/400: Failed to save group \{:path=>/);
    expect((await rejection(api.Groups.create("y", "y", { parentId: 999999 } as never))).message).toMatch(/404: 404 Group Not Found/);
    const bot = d.addUser("project_1_bot", { bot: true });
    const botApi = connect(d.url, d.addPersonalToken(bot.id)).api;
    expect((await rejection(botApi.Groups.create("z", "z", {} as never))).message).toMatch(/403/);
    // a project path and a group path share the route
    const p = await api.Projects.create({ name: "tools", path: "tools", namespaceId: lab.id } as never);
    expect(p).toBeTruthy();
    expect((await rejection(api.Groups.create("tools", "tools", { parentId: lab.id } as never))).message).toMatch(/has already been taken/);
  });

  it("GET /namespaces/:id by id or URL-encoded path; 404 Namespace Not Found; lists paginate", async () => {
    const { d, api } = await setup();
    for (let n = 0; n < 25; n++) d.addGroup(`team-${String(n).padStart(2, "0")}`);
    const sub = d.addGroup("lab/infra");
    expect(await api.Namespaces.show("lab/infra")).toMatchObject({ id: sub.id, kind: "group", full_path: "lab/infra", parent_id: d.groups.find("lab")!.id });
    expect(await api.Namespaces.show(sub.id)).toMatchObject({ full_path: "lab/infra" });
    expect((await rejection(api.Namespaces.show("nope"))).message).toMatch(/404: 404 Namespace Not Found/);
    const before = d.requests.length;
    const all = (await api.Groups.all({ search: "team", perPage: 10 } as never)) as { full_path: string }[];
    expect(all).toHaveLength(25);
    const pages = d.requests.slice(before).filter((r) => r.path === "/api/v4/groups");
    expect(pages).toHaveLength(3);
    expect(((await api.Namespaces.all({ search: "infra" } as never)) as { full_path: string }[]).map((n) => n.full_path)).toEqual(["lab/infra"]);
  });
});
