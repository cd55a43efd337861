/**
 * The real RoleRepos component against the GitLab double: Pulumi's mock runtime stands in for the
 * engine and forwards every dynamic resource to its impl module (check → create on the first up;
 * check → diff → update on the next ones), so outputs flow between resources exactly as wired.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../../components/gitlab/client.ts";
import type { ProviderImpl } from "../../../components/dynamic.ts";
import { parseRoleEnv } from "../../../components/gitlab/env-file.ts";
import { RoleRepos } from "../../../components/gitlab/role-repos.ts";
import { GitlabBody, type GitlabConfig } from "../../../components/gitlab/settings.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";
import { engineInputs as plain } from "../../helpers/program.ts";

const IMPLS: Record<string, () => Promise<ProviderImpl>> = {
  Project: () => import("../../../components/gitlab/project-impl.ts") as never,
  BootstrapFiles: () => import("../../../components/gitlab/bootstrap-files-impl.ts") as never,
  ProtectedBranch: () => import("../../../components/gitlab/protected-branch-impl.ts") as never,
  ProjectAccessToken: () => import("../../../components/gitlab/access-token-impl.ts") as never,
  Runner: () => import("../../../components/gitlab/runner-impl.ts") as never,
  RoleBoundary: () => import("../../../components/gitlab/role-boundary-impl.ts") as never,
};



interface Stored {
  id: string;
  outs: Record<string, unknown>;
}

/** One `pulumi up` of RoleRepos; `state` carries resources across ups like the engine's state file. */
async function up(gitlab: GitlabConfig, token: string, state: Map<string, Stored>) {
  const ops: string[] = [];
  pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const kind = /^pulumi-nodejs:dynamic\/gitlab:(\w+)$/.exec(args.type)?.[1];
        if (!kind) return { id: `${args.name}-id`, state: args.inputs };
        const impl = await IMPLS[kind]!();
        const checked = await impl.check(state.get(args.name)?.outs ?? {}, plain(args.inputs) as Record<string, unknown>);
        if (checked.failures?.length) throw new Error(`${args.name}: ${JSON.stringify(checked.failures)}`);
        const news = checked.inputs as Record<string, unknown>;
        const old = state.get(args.name);
        if (!old) {
          const r = await impl.create(news);
          state.set(args.name, { id: r.id, outs: r.outs });
          ops.push(`create ${args.name}`);
          return { id: r.id, state: r.outs };
        }
        const plan = await impl.diff(old.id, old.outs, news);
        if (!plan.changes) return { id: old.id, state: old.outs };
        const r = await impl.update(old.id, old.outs, news);
        state.set(args.name, { id: old.id, outs: r.outs! });
        ops.push(`update ${args.name}`);
        return { id: old.id, state: r.outs };
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
    false,
  );
  const repos = new RoleRepos("gitlab", {
    tags: { environment: "staging", stack: "staging" },
    gitlab,
    token: pulumi.secret(token),
    slotLabels: ["esp32-hut-01", "esp32-hut-02"],
    stack: "staging",
  });
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
  // like the engine, the up ends when every resource is done (protections have no dependents)
  const all = [
    ...Object.values(repos.roles).flatMap((r) => [r.project, r.bootstrap, r.protection, r.token]),
    ...Object.values(repos.runners),
    repos.boundary,
  ];
  await Promise.all(all.map((r) => value(r.id)));
  const [roleEnv, ciRunnerTokens, ok] = await Promise.all([value(repos.roleEnv), value(repos.ciRunnerTokens), value(repos.infraBoundaryOk)]);
  return { ops, roleEnv, ciRunnerTokens, ok };
}

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
  it("first up creates everything: 15 resources", () => {
    expect(first.ops).toHaveLength(15);
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
