/**
 * Two-phase rotation of a role token whose agent lives on a runner host, end to end: the real
 * RoleRepos and RunnerHost components on Pulumi's mock runtime standing in for the engine (each
 * dynamic resource forwarded to its impl: check → create, or check → diff → update), against the
 * GitLab double and a real container on the real LXD daemon (test/integration/lxd/lxd-env.ts).
 * Like the engine, a resource whose update failed keeps its old state and its dependents do not run.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderImpl } from "../../../components/dynamic.ts";
import { parseRoleEnv, roleEnvPath } from "../../../components/gitlab/env-file.ts";
import { RoleRepos } from "../../../components/gitlab/role-repos.ts";
import { GitlabBody, type GitlabConfig } from "../../../components/gitlab/settings.ts";
import { RunnerHost } from "../../../components/lxd/runner-host.ts";
import { RunnerHostConfig } from "../../../components/lxd/settings.ts";
import { engineInputs as plain } from "../../helpers/program.ts";
import { startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";
import { IMAGE, cleanupInstances, client, instanceName, requireLxd, unixRemote } from "../lxd/lxd-env.ts";

const IMPLS: Record<string, () => Promise<ProviderImpl>> = {
  "gitlab:Project": () => import("../../../components/gitlab/project-impl.ts") as never,
  "gitlab:BootstrapFiles": () => import("../../../components/gitlab/bootstrap-files-impl.ts") as never,
  "gitlab:ProtectedBranch": () => import("../../../components/gitlab/protected-branch-impl.ts") as never,
  "gitlab:ProjectAccessToken": () => import("../../../components/gitlab/access-token-impl.ts") as never,
  "gitlab:RoleBoundary": () => import("../../../components/gitlab/role-boundary-impl.ts") as never,
  "gitlab:TokenRetirement": () => import("../../../components/gitlab/token-retirement-impl.ts") as never,
  "lxd:LxdInstance": () => import("../../../components/lxd/instance-impl.ts") as never,
  "lxd:LxdInstanceFile": () => import("../../../components/lxd/instance-file-impl.ts") as never,
};


interface Stored {
  id: string;
  outs: Record<string, unknown>;
}

const runner = instanceName("roletok");
const ENV_USER = "runner";
/** What the runner baseline's cloud-init `users:` does on a real image (the busybox test image has only root). */
const ADD_USER = `grep -q '^${ENV_USER}:' /etc/passwd || { echo '${ENV_USER}:x:1001:1001::/home/${ENV_USER}:/bin/sh' >> /etc/passwd; echo '${ENV_USER}:x:1001:' >> /etc/group; mkdir -p /home/${ENV_USER}; chown 1001:1001 /home/${ENV_USER}; }`;

let d: GitlabDouble;
let gitlab: GitlabConfig;
const state = new Map<string, Stored>();

/** Marks the outputs of a resource whose operation failed in this up. */
const FAILED = "failed-in-this-up:";

/**
 * One `pulumi up`: the ops in order, with the double's request count when each finished, and the
 * failures. Like the engine, a failed resource keeps its stored state and every resource whose
 * inputs come from it is skipped (its outputs are marked, so a dependent sees the mark).
 */
async function up() {
  const ops: { op: string; at: number }[] = [];
  const failed: string[] = [];
  pulumi.runtime.setMocks(
    {
      async newResource(args) {
        const kind = /^pulumi-nodejs:dynamic\/(\w+:\w+)$/.exec(args.type)?.[1];
        if (!kind) return { id: `${args.name}-id`, state: args.inputs };
        const impl = await IMPLS[kind]!();
        const old = state.get(args.name);
        const given = plain(args.inputs) as Record<string, unknown>;
        const mark = (outs: Record<string, unknown>) => ({ id: old?.id ?? `${args.name}-failed`, state: Object.fromEntries([...new Set([...Object.keys(outs), ...Object.keys(old?.outs ?? {})])].map((k) => [k, `${FAILED}${args.name}`])) });
        if (JSON.stringify(given).includes(FAILED)) {
          ops.push({ op: `skip ${args.name}`, at: d.requests.length });
          return mark(given);
        }
        try {
          const checked = await impl.check(old?.outs ?? {}, given);
          if (checked.failures?.length) throw new Error(`${args.name}: ${JSON.stringify(checked.failures)}`);
          const news = checked.inputs as Record<string, unknown>;
          if (!old) {
            const r = await impl.create(news);
            if (kind === "lxd:LxdInstance") await exec(ADD_USER);
            state.set(args.name, { id: r.id, outs: r.outs });
            ops.push({ op: `create ${args.name}`, at: d.requests.length });
            return { id: r.id, state: r.outs };
          }
          if (!(await impl.diff(old.id, old.outs, news)).changes) return { id: old.id, state: old.outs };
          const r = await impl.update(old.id, old.outs, news);
          state.set(args.name, { id: old.id, outs: r.outs! });
          ops.push({ op: `update ${args.name}`, at: d.requests.length });
          return { id: old.id, state: r.outs };
        } catch (err) {
          failed.push(`${args.name}: ${(err as Error).message}`);
          return mark(given);
        }
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
    false,
  );
  const tags = { environment: "staging", stack: "staging" };
  const repos = new RoleRepos("gitlab", { tags, gitlab, token: pulumi.secret(d.adminToken), slotLabels: [], stack: "staging", deliveredRoles: ["runner"] });
  const host = new RunnerHost(runner, {
    tags,
    runner: RunnerHostConfig.parse({ name: runner, type: "container", image: IMAGE, cloudInit: false, readinessTimeoutSeconds: 90, stopTimeoutSeconds: 0 }),
    remote: unixRemote,
    slots: [],
    gitlab: { url: gitlab.url, roleEnvs: { runner: repos.roleEnvs.runner } },
  });
  const retire = repos.retireAfterDelivery({ runner: [host.roleCredentials.runner!.sha256] });
  const resources = [...Object.values(repos.roles).flatMap((r) => [r.project, r.bootstrap, r.protection, r.token]), repos.boundary, host.instance, host.roleCredentials.runner!, retire.runner!];
  await Promise.all(resources.map((r) => new Promise((resolve) => r.id.apply(resolve))));
  return { ops, failed };
}

async function exec(cmd: string) {
  const r = await client.exec(runner, ["sh", "-c", cmd], { timeoutSeconds: 20 });
  if (r.exitCode !== 0) throw new Error(`${cmd}: exit ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

const envPath = () => roleEnvPath("runner", new URL(d.url).host, { HOME: `/home/${ENV_USER}` });
/** The delivered file, read back through the LXD file API (content, mode, owner). */
async function delivered() {
  const res = await client.raw("GET", `/1.0/instances/${runner}/files?path=${encodeURIComponent(envPath())}`);
  const h = (k: string) => String(res.headers[`x-lxd-${k}`] ?? res.headers[`x-incus-${k}`] ?? "");
  return { status: res.status, env: res.status === 200 ? parseRoleEnv(res.text) : undefined, mode: h("mode"), owner: `${h("uid")}:${h("gid")}` };
}
const runnerToken = () => state.get("gitlab-runner-token")!.outs as { tokenId: number; token: string; expiresAt: string };
const projectId = () => Number(state.get("gitlab-runner-project")!.id);
const liveTokens = () => d.accessTokens(projectId()).filter((t) => t.active && !t.revoked);
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** Time passes: the runner token is within rotateBeforeDays of its expiry (in GitLab and in the state). */
function makeDue() {
  const t = runnerToken();
  d.setTokenExpiry(t.tokenId, day(5));
  state.get("gitlab-runner-token")!.outs.expiresAt = day(5);
}

beforeAll(async () => {
  await requireLxd();
  const s = await startGitlab();
  d = s.d;
  const { connect } = await import("../../../components/gitlab/client.ts");
  await connect(d.url, d.adminToken).api.Projects.create({ name: "product", path: "product", namespaceId: s.group.id } as never);
  gitlab = {
    ...GitlabBody.parse({ url: "https://gitlab.lab.example.org", group: "lab-agents", roles: { arch: { path: "product", existing: true }, infra: { path: "infra" }, runner: { path: "runner" } } }),
    url: d.url, // the double instead of the real host (loopback http)
  };
}, 180_000);

afterAll(async () => {
  await cleanupInstances();
  await d?.close();
});

describe("a role token delivered into the runner host rotates in two phases, in one up", () => {
  let firstPat = "";

  it("first up: the token exists, the env file is in the instance (0600, the agent's user, dirs 0700) and works", async () => {
    const { failed } = await up();
    expect(failed).toEqual([]);
    const file = await delivered();
    expect([file.status, file.mode, file.owner]).toEqual([200, "0600", "1001:1001"]);
    expect(file.env?.GITLAB_PAT).toBe(runnerToken().token);
    expect(d.tokenValid(file.env!.GITLAB_PAT)).toBe(true);
    expect(await exec(`stat -c '%a %u' /home/${ENV_USER}/.config /home/${ENV_USER}/.config/labfleet/credentials/gitlab/*`)).toBe("700 1001\n700 1001\n");
    firstPat = file.env!.GITLAB_PAT;
    expect(liveTokens()).toHaveLength(1);
  }, 180_000);

  it("a due rotation in one up: successor created, delivered, and only then the old token revoked; a second up does nothing", async () => {
    makeDue();
    const old = runnerToken();
    d.requests.length = 0;
    const { ops, failed } = await up();
    expect(failed).toEqual([]);
    expect(ops.map((o) => o.op)).toEqual(["update gitlab-runner-token", `update ${runner}-gitlab-runner-env`, "update gitlab-runner-token-retire"]);
    const now = runnerToken();
    expect(now.tokenId).not.toBe(old.tokenId);
    // the API order: create the successor … (file written) … revoke the predecessor
    const create = d.requests.findIndex((r) => r.method === "POST" && /\/access_tokens$/.test(r.path));
    const revoke = d.requests.findIndex((r) => r.method === "DELETE" && r.path.endsWith(`/access_tokens/${old.tokenId}`));
    const fileDone = ops.find((o) => o.op.endsWith("-gitlab-runner-env"))!.at;
    expect(create).toBeGreaterThanOrEqual(0);
    expect(create).toBeLessThan(fileDone);
    expect(revoke).toBeGreaterThanOrEqual(fileDone);
    expect(d.count("POST", /\/rotate$/)).toBe(0); // never GitLab's rotate, which revokes at once
    expect((await delivered()).env?.GITLAB_PAT).toBe(now.token);
    expect(d.tokenValid(now.token)).toBe(true);
    expect(d.tokenValid(old.token)).toBe(false);
    expect(liveTokens().map((t) => t.id)).toEqual([now.tokenId]);

    d.requests.length = 0;
    const again = await up();
    expect([again.ops, again.failed]).toEqual([[], []]);
    expect(d.requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(firstPat).not.toBe(now.token);
  }, 180_000);

  it("a failed delivery leaves the old token valid (nothing revoked); the next up delivers and retires", async () => {
    makeDue();
    const old = runnerToken();
    await exec(`sed -i '/^${ENV_USER}:/d' /etc/passwd /etc/group`); // the agent's user is gone: the write cannot be owned by it
    d.requests.length = 0;
    const broken = await up();
    expect(broken.failed).toEqual([`${runner}-gitlab-runner-env: owner: user "${ENV_USER}" does not exist in instance "${runner}" on ${client.where}`]);
    expect(broken.ops.map((o) => o.op)).toEqual(["update gitlab-runner-token", "skip gitlab-runner-token-retire"]);
    expect(d.count("DELETE", /\/access_tokens\/\d+$/)).toBe(0);
    const successor = runnerToken();
    expect(successor.tokenId).not.toBe(old.tokenId);
    expect((await delivered()).env?.GITLAB_PAT).toBe(old.token); // the host still has the old one …
    expect(d.tokenValid(old.token)).toBe(true); // … and it still works
    expect(liveTokens().map((t) => t.id).sort()).toEqual([old.tokenId, successor.tokenId].sort()); // both live, both known
    expect(broken.failed.join("\n")).not.toContain(successor.token);

    await exec(ADD_USER);
    const fixed = await up();
    expect(fixed.failed).toEqual([]);
    expect(fixed.ops.map((o) => o.op)).toEqual([`update ${runner}-gitlab-runner-env`, "update gitlab-runner-token-retire"]);
    expect((await delivered()).env?.GITLAB_PAT).toBe(successor.token);
    expect(d.tokenValid(old.token)).toBe(false);
    expect(liveTokens().map((t) => t.id)).toEqual([successor.tokenId]);
    expect((await up()).ops).toEqual([]);
  }, 180_000);
});
