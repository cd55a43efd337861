/**
 * The real RoleRepos component against the GitLab double (through the mock-runtime engine of
 * up.ts), all roles in one shared namespace (the default layout).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../../components/gitlab/client.ts";
import { parseRoleEnv } from "../../../components/gitlab/env-file.ts";
import { GitlabBody, type GitlabConfig } from "../../../components/gitlab/settings.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";
import { type Stored, up } from "./up.ts";

let d: GitlabDouble;
let gitlab: GitlabConfig;
const state = new Map<string, Stored>();
let first: Awaited<ReturnType<typeof up>>;
let firstMs = 0;
let firstRequests = 0;

beforeAll(async () => {
  const s = await startGitlab();
  d = s.d;
  // the product repository exists before labfleet (existing: true)
  await connect(d.url, d.adminToken).api.Projects.create({ name: "product", path: "product", namespaceId: s.group.id } as never);
  gitlab = GitlabBody.parse({
    url: "https://gitlab.lab.example.org",
    group: "lab-agents",
    roles: {
      arch: { path: "product", existing: true },
      infra: { path: "infra", accessLevel: "maintainer", tokenScopes: ["api", "read_repository", "write_repository"] },
      runner: { path: "runner", accessLevel: "maintainer", tokenScopes: ["api", "create_runner", "read_repository"] },
    },
  });
  gitlab = { ...gitlab, url: d.url }; // the double instead of the real host (loopback http)
  d.requests.length = 0;
  const t0 = Date.now();
  first = await up(gitlab, d.adminToken, state);
  firstMs = Date.now() - t0;
  firstRequests = d.requests.length;
});

afterAll(async () => {
  await d?.close();
});

describe("RoleRepos against the GitLab double", () => {
  it("first up creates everything: 16 resources (the shared namespace adopted, not created)", () => {
    expect(first.ops).toHaveLength(16);
    expect(d.count("POST", /^\/api\/v4\/groups$/)).toBe(0);
    console.info(`gitlab: first up ${firstMs} ms, ${firstRequests} API requests`);
  });

  it("three private repositories on main, protected push/merge maintainers, one bootstrap commit each", () => {
    for (const path of ["product", "infra", "runner"]) {
      const p = d.projectByPath(`lab-agents/${path}`)!;
      expect(p.visibility).toBe("private");
      expect(p.default_branch).toBe("main");
      expect(d.repo(p.id).log("main").map((c) => c.title)).toEqual(["labfleet: bootstrap role repository"]);
      expect(d.protections(p.id).map((b) => [b.name, b.push_access_levels.map((l) => l.access_level), b.merge_access_levels.map((l) => l.access_level)])).toEqual([
        ["main", [40], [40]],
      ]);
    }
  });

  it("role env files carry working tokens; runner tokens authenticate; the infra boundary holds", async () => {
    for (const role of ["arch", "infra", "runner"] as const) {
      const env = parseRoleEnv(first.roleEnv[role]);
      expect(env.GITLAB_HOST).toBe(new URL(d.url).host);
      expect(d.tokenValid(env.GITLAB_PAT)).toBe(true);
      expect(env.GITLAB_USER).toMatch(/^project_\d+_bot_/);
    }
    expect(Object.keys(first.ciRunnerTokens)).toEqual(["esp32-hut-01", "esp32-hut-02"]);
    for (const t of Object.values(first.ciRunnerTokens)) expect(d.runnerTokenValid(t)).toBe(true);
    const runnerRoleRepo = d.projectByPath("lab-agents/runner")!;
    expect(d.runnerList(runnerRoleRepo.id).map((r) => r.tag_list)).toEqual([["esp32-hut-01"], ["esp32-hut-02"]]);
    expect(first.ok).toBe(true);
  });

  it("a second up with nothing changed writes nothing", async () => {
    const before = d.requests.length;
    const t0 = Date.now();
    const second = await up(gitlab, d.adminToken, state);
    const writes = d.requests.slice(before).filter((r) => r.method !== "GET");
    console.info(`gitlab: no-op up ${Date.now() - t0} ms, ${d.requests.length - before} API requests (${writes.length} writes)`);
    expect(second.ops).toEqual([]);
    expect(writes).toEqual([]);
  });

  it("a template change and a token near expiry: the next up commits once and rotates that token only", async () => {
    const infraToken = state.get("gitlab-infra-token")!;
    d.setTokenExpiry(infraToken.outs.tokenId as number, new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10));
    state.set("gitlab-infra-token", { ...infraToken, outs: { ...infraToken.outs, expiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10) } });
    const changed: GitlabConfig = {
      ...gitlab,
      bootstrap: { ...gitlab.bootstrap, files: { ...gitlab.bootstrap.files, "AGENTS.md": `${gitlab.bootstrap.files["AGENTS.md"]}\nUpdated.\n` } },
    };
    const third = await up(changed, d.adminToken, state);
    expect(third.ops.sort()).toEqual([
      "update gitlab-arch-bootstrap",
      "update gitlab-infra-bootstrap",
      "update gitlab-infra-boundary", // its subject token changed
      "update gitlab-infra-token",
      "update gitlab-runner-bootstrap",
    ]);
    expect(d.tokenValid(infraToken.outs.token as string)).toBe(false);
    expect(d.tokenValid(parseRoleEnv(third.roleEnv.infra).GITLAB_PAT)).toBe(true);
    const infra = d.projectByPath("lab-agents/infra")!;
    expect(d.repo(infra.id).log("main").map((c) => c.title)).toEqual([
      "labfleet: update bootstrap files from templates",
      "labfleet: bootstrap role repository",
    ]);
    expect(third.ok).toBe(true);
  });
});
