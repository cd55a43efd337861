/**
 * Per-role namespaces and the role contract, end to end: RoleRepos (mock-runtime engine, up.ts)
 * against the GitLab double with each role in its own namespace; the bootstrap files cloned with
 * the role's token, their formats parsed, and the scripts/ wrappers run with `sh` against the real
 * `hut` bin with a temporary inventory, lock and cancel directories.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHandoffLog } from "../../../hardware/schema/handoff.ts";
import { connect } from "../../../components/gitlab/client.ts";
import { parseRoleEnv } from "../../../components/gitlab/env-file.ts";
import { HANDOFF_LOG, BOARD_FILE, parseBoard } from "../../../components/gitlab/role-contract.ts";
import { GitlabBody, type GitlabConfig } from "../../../components/gitlab/settings.ts";
import { git, startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";
import { HUT_BIN, type TempDir, baseEnv, slotEntry, tempDir, until } from "../hut/helpers/cli.ts";
import { type Stored, up } from "./up.ts";

let d: GitlabDouble;
let gitlab: GitlabConfig;
let tmp: TempDir;
let clone: string;
let first: Awaited<ReturnType<typeof up>>;
const state = new Map<string, Stored>();
const holders: ChildProcess[] = [];

beforeAll(async () => {
  ({ d } = await startGitlab());
  // the product repository exists before labfleet, in its own namespace
  const arch = d.addGroup("arch");
  await connect(d.url, d.adminToken).api.Projects.create({ name: "arch-agent", path: "arch-agent", namespaceId: arch.id } as never);
  gitlab = {
    ...GitlabBody.parse({
      url: "https://gitlab.lab.example.org",
      group: "lab-agents",
      roles: {
        arch: { namespace: "arch", path: "arch-agent", existing: true },
        infra: { namespace: "infra", path: "infra-agent", accessLevel: "maintainer" },
        runner: { namespace: "runner", path: "runner-agent", accessLevel: "maintainer", tokenScopes: ["api", "create_runner", "read_repository"] },
      },
    }),
    url: d.url,
  };
  first = await up(gitlab, d.adminToken, state);
  tmp = tempDir("role-contract-");
  clone = join(tmp.path, "infra-agent");
  const token = parseRoleEnv(first.roleEnv.infra).GITLAB_PAT;
  const r = await git(["clone", "-q", `${d.url}/infra/infra-agent.git`, clone], { cwd: tmp.path, token });
  if (r.status !== 0) throw new Error(`clone failed: ${r.stderr}`);
}, 120_000);

afterAll(async () => {
  for (const h of holders) if (h.exitCode === null) h.kill("SIGKILL");
  tmp?.cleanup();
  await d?.close();
});

describe("per-role namespaces", () => {
  it("creates the missing role namespaces (infra, runner), adopts the existing one (arch), and puts each project in its own", () => {
    const posts = d.requests.filter((r) => r.method === "POST" && r.path === "/api/v4/groups");
    expect(posts).toHaveLength(2);
    for (const ns of ["infra", "runner"]) expect(d.groups.find(ns)).toMatchObject({ visibility: "private", parent_id: null });
    expect(first.ops).not.toContain("create gitlab-ns-lab-agents"); // no role uses the default namespace
    for (const path of ["arch/arch-agent", "infra/infra-agent", "runner/runner-agent"]) expect(d.projectByPath(path), path).toBeDefined();
    expect(first.ops.filter((o) => o.startsWith("create gitlab-ns-")).sort()).toEqual(["create gitlab-ns-arch", "create gitlab-ns-infra", "create gitlab-ns-runner"]);
    expect(first.ok).toBe(true); // infra still cannot reach arch/arch-agent
  });

  it("a second up with nothing changed writes nothing", async () => {
    const before = d.requests.length;
    const again = await up(gitlab, d.adminToken, state);
    expect(again.ops).toEqual([]);
    expect(d.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  });
});

describe("the role contract files (cloned with the infra token)", () => {
  it("are committed with the executable bit on the scripts", async () => {
    const files = await git(["ls-files", "-s"], { cwd: clone });
    const modes = Object.fromEntries(files.stdout.split("\n").map((l) => [l.split("\t")[1]!, l.split(" ")[0]!]));
    expect(modes).toEqual({
      "AGENTS.md": "100644",
      [BOARD_FILE]: "100644",
      [HANDOFF_LOG]: "100644",
      "scripts/invoke": "100755",
      "scripts/lib.sh": "100644",
      "scripts/lock": "100755",
      "scripts/report": "100755",
      "scripts/startup.sh": "100755",
    });
  });

  it("AGENTS.md carries the read order, the role's boundaries and discovery checks, its namespace and HTTPS remotes", () => {
    const agents = readFileSync(join(clone, "AGENTS.md"), "utf8");
    expect(agents).toContain("# infra — Infrastructure Agent: start here");
    expect(agents).toContain(`Repository: infra/infra-agent (${d.url}/infra/infra-agent.git), namespace \`infra\`.`);
    expect(agents).toContain(`1. \`AGENTS.md\`\n2. \`${BOARD_FILE}\`\n3. \`${HANDOFF_LOG}\``);
    expect(agents).toMatch(/## Role boundaries\n\n- Never clones, reads or edits the product repository/);
    expect(agents).toMatch(/## Discovery-first checks\n\nRun these and read their output before changing anything:\n\n1\. List what exists before changing it/);
    expect(agents).toContain(`| arch | Architecture Agent | arch/arch-agent | ${d.url}/arch/arch-agent.git |`);
    expect(agents).not.toMatch(/\{\{|git@|ssh:\/\//);
  });

  it("the board parses: one row owned by infra:codex; the handoff log parses with no entries yet", () => {
    const board = parseBoard(readFileSync(join(clone, BOARD_FILE), "utf8"));
    expect(board.problems).toEqual([]);
    expect(board.rows).toEqual([expect.objectContaining({ workstream: "infra-bootstrap", owner: "infra:codex", status: "todo", blocker: "none" })]);
    const log = parseHandoffLog(readFileSync(join(clone, HANDOFF_LOG), "utf8"));
    expect(log).toEqual({ entries: [], problems: [] });
  });
});

describe("scripts/ wrappers over the real hut", () => {
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    const locks = join(tmp.path, "locks");
    const cancel = join(tmp.path, "cancel");
    mkdirSync(locks, { mode: 0o700 });
    mkdirSync(cancel, { mode: 0o700 });
    const inv = tmp.file("inv.yaml", { slots: [slotEntry(1), slotEntry(2)] });
    env = baseEnv({ HUT: HUT_BIN, HUT_INVENTORY: inv, HUT_LOCK_DIR: locks, HUT_CANCEL_DIR: cancel });
  });

  function sh(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("sh", args, { cwd: clone, env: { ...env, ...extraEnv } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.once("close", (code) => {
        clearTimeout(t);
        resolve({ code, stdout, stderr });
      });
    });
  }

  function invocation(name: string, command: string[]) {
    return tmp.file(`${name}.json`, {
      schema_version: "ws2.invocation.v1",
      job_id: name,
      target_role: "infra",
      requested_by: "arch",
      request_utc: "2026-02-12T15:30:00Z",
      command,
      timeout_sec: 60,
      lock_key: name,
      commit_sha: "c03a9a0123",
      workdir: tmp.path,
      expected_artifacts: [`${name}.out`],
    });
  }

  it("invoke: hut run's exit code passes through and the ws2 report lands under evidence/", async () => {
    const ok = await sh(["scripts/invoke", invocation("inv-ok", ["echo done > inv-ok.out"])]);
    expect(ok.code, ok.stderr).toBe(0);
    const report = join(clone, "evidence", "inv-ok.report.json");
    expect(ok.stdout.trim()).toBe(report);
    expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ schema_version: "ws2.report.v1", job_id: "inv-ok", agent_role: "infra", status: "success", exit_code: 0 });
    expect(readFileSync(join(tmp.path, "inv-ok.out"), "utf8")).toBe("done\n");
    const failed = await sh(["scripts/invoke", invocation("inv-bad", ["exit 3"]), join(tmp.path, "bad.report.json")]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(readFileSync(join(tmp.path, "bad.report.json"), "utf8"))).toMatchObject({ status: "failed", exit_code: 3 });
    expect((await sh(["scripts/invoke"])).code).toBe(2);
  });

  it("report: appends one valid line from the ws2 report (role, context, commit, job, evidence); a bad field exits 2 and writes nothing", async () => {
    const log = join(clone, HANDOFF_LOG);
    const r = await sh(["scripts/report", "--report", "evidence/inv-ok.report.json", "--action-type", "execute", "--operator-required", "no"]);
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(log, "utf8");
    const parsed = parseHandoffLog(after);
    expect(parsed.problems).toEqual([]);
    expect(parsed.entries).toEqual([
      expect.objectContaining({
        commit_sha: "c03a9a0123",
        role: "infra",
        status: "done",
        context: "infra-live",
        action_type: "execute",
        operator_required: "no",
        executor: "remote_codex",
        evidence: ["evidence/inv-ok.report.json", join(tmp.path, "inv-ok.out")], // the report, then its artifacts
        job_id: "inv-ok",
        summary: expect.stringMatching(/succeeded/), // the report's human_summary
      }),
    ]);
    const bad = await sh(["scripts/report", "--action-type", "deploy", "--operator-required", "no", "--evidence", "x.log", "--summary", "s"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--action-type: Invalid option/);
    expect(readFileSync(log, "utf8")).toBe(after);
    // without a report the commit is this repository's HEAD, and ssh_direct is recorded when given
    const head = (await git(["rev-parse", "HEAD"], { cwd: clone })).stdout;
    const proxy = await sh(["scripts/report", "--status", "blocked", "--action-type", "delegate", "--operator-required", "yes", "--executor", "ssh_direct", "--evidence", "notes/gate.md", "--summary", "needs the operator"]);
    expect(proxy.code, proxy.stderr).toBe(0);
    expect(parseHandoffLog(readFileSync(log, "utf8")).entries[1]).toMatchObject({ commit_sha: head, executor: "ssh_direct", operator_required: "yes", status: "blocked" });
    expect((await sh(["scripts/report", "--check"])).code).toBe(0);
    writeFileSync(log, `${readFileSync(log, "utf8")}- 2026-02-12T15:30Z role=infra -- hand-written\n`);
    const check = await sh(["scripts/report", "--check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/line \d+: commit_sha: is required/);
  });

  it("lock: the command's status passes through; a held slot gives 75 within --wait", async () => {
    expect((await sh(["scripts/lock", "--slot", "hut-01", "--wait", "5", "--", "sh", "-c", "exit 7"])).code).toBe(7);
    const marker = join(tmp.path, "held");
    const holder = spawn("sh", ["scripts/lock", "--slot", "hut-01", "--", "sh", "-c", `touch ${marker}; sleep 20`], { cwd: clone, env, stdio: "ignore" });
    holders.push(holder);
    await until(() => existsSync(marker), 15_000, "the holder to take the lock");
    const t0 = Date.now();
    const busy = await sh(["scripts/lock", "--slot", "hut-01", "--wait", "1", "--", "true"]);
    expect(busy.code).toBe(75);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await sh(["scripts/lock", "--slot", "hut-02", "--wait", "1", "--", "true"])).code).toBe(0); // another slot is free
    holder.kill("SIGTERM");
    await new Promise((r) => holder.once("close", r));
    expect((await sh(["scripts/lock", "--slot", "nope", "--", "true"])).code).toBe(2);
  });

  it("a missing hut exits 127 naming it", async () => {
    const r = await sh(["scripts/lock", "--slot", "hut-01", "--", "true"], { HUT: "/nonexistent/hut" });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/the hut CLI \(\/nonexistent\/hut\) was not found/);
  });
});

describe("a contract change", () => {
  it("updates AGENTS.md in one new commit, leaves the agents' board and log alone; the next up is a no-op", async () => {
    const infra = d.projectByPath("infra/infra-agent")!;
    // an agent's edit of its own log through the API
    const api = connect(d.url, parseRoleEnv(first.roleEnv.infra).GITLAB_PAT).api;
    const entry = "- 2026-02-12T15:30:00Z commit_sha=none role=infra status=in_progress context=infra-live action_type=scaffold operator_required=no executor=remote_codex evidence=AGENTS.md -- started\n";
    const log = Buffer.from(((await api.RepositoryFiles.show(infra.id, HANDOFF_LOG, "main")) as { content: string }).content, "base64").toString("utf8");
    await api.Commits.create(infra.id, "main", "log: started", [{ action: "update", filePath: HANDOFF_LOG, content: `${log}${entry}` }] as never);
    const changed: GitlabConfig = {
      ...gitlab,
      roles: { ...gitlab.roles, infra: { ...gitlab.roles.infra, boundaries: [...gitlab.roles.infra.boundaries, "Keeps host changes reversible."] } },
      bootstrap: { ...gitlab.bootstrap, files: { ...gitlab.bootstrap.files, [HANDOFF_LOG]: `${gitlab.bootstrap.files[HANDOFF_LOG]}<!-- v2 -->\n` } },
    };
    const before = d.repo(infra.id).log("main").length;
    await up(changed, d.adminToken, state);
    const commits = d.repo(infra.id).log("main");
    expect(commits.length).toBe(before + 1);
    expect(commits[0]!.title).toBe("labfleet: update bootstrap files from templates");
    const live = (path: string) => api.RepositoryFiles.show(infra.id, path, "main").then((f) => Buffer.from((f as { content: string }).content, "base64").toString("utf8"));
    expect(await live("AGENTS.md")).toContain("- Keeps host changes reversible.");
    expect(await live(HANDOFF_LOG)).toBe(`${log}${entry}`);
    const requests = d.requests.length;
    const again = await up(changed, d.adminToken, state);
    expect(again.ops).toEqual([]);
    expect(d.requests.slice(requests).filter((r) => r.method !== "GET")).toEqual([]);
  });
});
