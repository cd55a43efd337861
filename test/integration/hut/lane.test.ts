import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Report } from "../../../hardware/schema/ws2.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { HaDouble } from "../../../hardware/sim/home-assistant.ts";
import { GROUP, startGitlab } from "../../doubles/gitlab/fixture.ts";
import type { GitlabDouble } from "../../doubles/gitlab/server.ts";
import { GithubDouble } from "../../doubles/github/server.ts";
import { FAKE_ESPTOOL, REPO, type TempDir, baseEnv, runHut, slotEntry, tempDir } from "./helpers/cli.ts";
import { type PtyPair, bootingBoard, ptyPair } from "./helpers/serial.ts";

/**
 * `hut lane run` / `hut lane health` on simulated slots: socat pty pairs with a booting (slot 1) and
 * a silent (slot 3) board, the fake esptool, a local directory artifact store behind the
 * `hut fetch` contract (helpers/fake-fetch.sh), the Home Assistant double, the GitHub statuses
 * double and the GitLab double (runner pause/resume).
 */

const FAKE_FETCH = join(REPO, "test/integration/hut/helpers/fake-fetch.sh");
const SHA = "3f2c1a9b8e7d6c5b4a39281706f5e4d3c2b1a098";
const GOOD = "0123456789abcdef0123456789abcdef01234567";
const UNKNOWN = "ffffffffffffffffffffffffffffffffffffffff";
const PRODUCT = "example-lab/lab-node";
const JOB_URL = "https://gitlab.example.org/lab-agents/runner/-/jobs/4242";
const HA_TOKEN = "ha-test-token";

let tmp: TempDir;
let byId: string;
let inv: string;
let store: string;
let buildSha256: string;
let board: PtyPair;
let silent: PtyPair;
let stopBoard: () => void;
let gh: GithubDouble;
let ghToken: string;
let gl: GitlabDouble;
let runnerId: number;
let ha: HaDouble;
let n = 0;

function storeBuild(sha: string, image: Buffer) {
  mkdirSync(join(store, sha), { recursive: true });
  writeFileSync(join(store, sha, "esp32.bin"), image);
  writeFileSync(join(store, sha, "esp32.sha256"), createHash("sha256").update(image).digest("hex"));
}

beforeAll(async () => {
  tmp = tempDir("hut-lane-");
  byId = join(tmp.path, "by-id");
  store = join(tmp.path, "store");
  ha = await HaDouble.start({ token: HA_TOKEN, entities: { "switch.hut_01_power": "on", "switch.hut_03_power": "on" }, transitionMs: 20 });
  const fast = { powerCycle: { offSeconds: 0, retries: 0, cooldownSeconds: 0 } };
  inv = tmp.file("inv.yaml", {
    homeAssistant: { url: ha.url, pollIntervalSeconds: 0.05, stateTimeoutSeconds: 5 },
    slots: [{ ...slotEntry(1), ...fast }, { ...slotEntry(3), ...fast, boot: { timeoutSeconds: 1 } }],
  });
  const image = espImage("esp32", Buffer.alloc(16 * 1024, 5));
  buildSha256 = createHash("sha256").update(image).digest("hex");
  storeBuild(SHA, image);
  storeBuild(GOOD, image);
  board = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
  stopBoard = bootingBoard(board);
  silent = await ptyPair(byId, slotEntry(3).serialById.split("/").pop()!);
  gh = await GithubDouble.start();
  gh.addRepo(PRODUCT, [SHA, GOOD]);
  ghToken = gh.addToken([PRODUCT]);
  const g = await startGitlab();
  gl = g.d;
  const project = await (
    await fetch(`${gl.url}/api/v4/projects`, {
      method: "POST",
      headers: { "private-token": gl.adminToken, "content-type": "application/json" },
      body: JSON.stringify({ name: "runner", namespace_id: g.group.id }),
    })
  ).json() as { id: number };
  const runner = await (
    await fetch(`${gl.url}/api/v4/user/runners`, {
      method: "POST",
      headers: { "private-token": gl.adminToken, "content-type": "application/json" },
      body: JSON.stringify({ runner_type: "project_type", project_id: project.id, tag_list: [slotEntry(3).label] }),
    })
  ).json() as { id: number };
  runnerId = runner.id;
  expect(gl.projectByPath(`${GROUP}/runner`)).toBeDefined();
}, 60_000);

afterAll(async () => {
  stopBoard?.();
  await board?.close();
  await silent?.close();
  await gh?.close();
  await gl?.close();
  await ha?.close();
  tmp?.cleanup();
});

function env(extra: Record<string, string> = {}) {
  const dir = join(tmp.path, `run-${++n}`);
  mkdirSync(dir);
  return {
    dir,
    env: baseEnv({
      HUT_INVENTORY: inv,
      HUT_LOCK_DIR: join(tmp.path, "locks"),
      HUT_CANCEL_DIR: join(tmp.path, "cancel"),
      HUT_LANE_STATE_DIR: join(tmp.path, "lane-state"),
      HUT_SERIAL_BY_ID_DIR: byId,
      HUT_ESPTOOL: FAKE_ESPTOOL,
      HUT_FETCH: FAKE_FETCH,
      FAKE_STORE: store,
      HA_TOKEN,
      CI_JOB_URL: JOB_URL,
      GITHUB_API_URL: gh.url,
      LABFLEET_GITHUB_STATUS_TOKEN: ghToken,
      ...extra,
    }),
  };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "testcase" });

async function lane(args: string[], extra: Record<string, string> = {}) {
  const e = env(extra);
  const report = join(e.dir, "report.json");
  const junit = join(e.dir, "junit.xml");
  const r = await runHut(["lane", ...args, "--report", report, "--junit", junit, "--json"], e.env, { timeoutMs: 60_000 });
  return {
    r,
    report: existsSync(report) ? Report.parse(JSON.parse(readFileSync(report, "utf8"))) : undefined,
    junit: existsSync(junit) ? xml.parse(readFileSync(junit, "utf8")) : undefined,
    json: r.stdout ? JSON.parse(r.stdout) : undefined,
  };
}

const laneRun = (slot: string, sha: string, extra: Record<string, string> = {}, more: string[] = []) =>
  lane(["run", "--slot", slot, "--sha", sha, "--repository", PRODUCT, ...more], extra);

describe("hut lane run", () => {
  it("fetches the build by SHA, flashes, boot-checks, tests; ws2 report, JUnit, pending then success", async () => {
    const before = gh.received.length;
    const { r, report, junit } = await laneRun("hut-01", SHA, {}, ["--test", 'test "$HUT_SLOT" = hut-01', "--test", 'test -s "$HUT_FIRMWARE" && test "$LABFLEET_COMMIT_SHA" = ' + SHA]);
    expect(r.code, r.stderr).toBe(0);
    expect(report).toMatchObject({
      schema_version: "ws2.report.v1",
      agent_role: "runner",
      status: "success",
      exit_code: 0,
      lane: "local-hil",
      slot_id: "hut-01",
      commit_sha: SHA,
      firmware_sha256: buildSha256,
      boot: { status: "ok" },
    });
    expect(report?.steps).toHaveLength(4);
    const suite = junit.testsuites.testsuite;
    expect(suite).toMatchObject({ name: "labfleet/hil/esp32-hut-01", tests: "4", failures: "0", errors: "0", skipped: "0" });
    expect(suite.testcase.map((c: { name: string }) => c.name)).toEqual([
      `fetch the esp32 build of ${SHA.slice(0, 12)}`,
      "flash hut-01 and check it boots",
      'test 1: test "$HUT_SLOT" = hut-01',
      expect.stringMatching(/^test 2: /),
    ]);
    const calls = gh.received.slice(before);
    expect(calls.map((c) => [c.path, c.status, c.body.state, c.body.context, c.body.target_url])).toEqual([
      [`/repos/${PRODUCT}/statuses/${SHA}`, 201, "pending", "labfleet/hil/esp32-hut-01", JOB_URL],
      [`/repos/${PRODUCT}/statuses/${SHA}`, 201, "success", "labfleet/hil/esp32-hut-01", JOB_URL],
    ]);
    expect(String(calls[1]?.body.description).length).toBeLessThanOrEqual(140);
  }, 60_000);

  it("a board that does not boot: failure status, JUnit failure on the flash, tests skipped", async () => {
    const before = gh.received.length;
    const { r, report, junit, json } = await laneRun("hut-03", SHA, {}, ["--test", "true"]);
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "failed", lane: "local-hil", slot_id: "hut-03", boot: { status: "timeout" } });
    expect(json.commit_state).toBe("failure");
    const cases = junit.testsuites.testsuite.testcase;
    expect(cases[0].failure ?? cases[0].error).toBeUndefined();
    expect(cases[1].failure.message).toMatch(/step 2\/3/);
    expect(cases[2].skipped).toBeDefined();
    expect(gh.received.slice(before).map((c) => c.body.state)).toEqual(["pending", "failure"]);
  }, 60_000);

  it("a failing flash: failure status", async () => {
    const before = gh.received.length;
    const { r, report } = await laneRun("hut-01", SHA, { FAKE_ESPTOOL_MODE: "fail" });
    expect(r.code).toBe(1);
    expect(report?.status).toBe("failed");
    expect(gh.received.slice(before).map((c) => c.body.state)).toEqual(["pending", "failure"]);
  }, 60_000);

  it("a SHA without a build: error status (the lane could not judge it), JUnit error on the fetch", async () => {
    gh.addRepo(PRODUCT, [SHA, GOOD, UNKNOWN]);
    const before = gh.received.length;
    const { r, report, junit } = await laneRun("hut-01", UNKNOWN);
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "failed", exit_code: 1 });
    expect(junit.testsuites.testsuite.testcase[0].error.message).toMatch(/step 1\/2/);
    expect(gh.received.slice(before).map((c) => c.body.state)).toEqual(["pending", "error"]);
  }, 60_000);

  it("a rejected token: the lane still reports, the job fails naming the variable, the token never printed", async () => {
    const { r, report, json } = await laneRun("hut-01", GOOD, { LABFLEET_GITHUB_STATUS_TOKEN: "ghp_wrong" });
    expect(r.code).toBe(1);
    expect(report?.status).toBe("success");
    expect(json.status_error).toMatch(/401 bad credentials: check LABFLEET_GITHUB_STATUS_TOKEN/);
    expect(`${r.stdout}${r.stderr}`).not.toContain("ghp_wrong");
  }, 60_000);

  it("bad flags exit 2 naming the flag or variable", async () => {
    const bad = await runHut(["lane", "run", "--slot", "hut-01", "--sha", "abc123"], env().env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sha/);
    const noToken = await runHut(["lane", "run", "--slot", "hut-01", "--sha", SHA, "--repository", PRODUCT], env({ LABFLEET_GITHUB_STATUS_TOKEN: "" }).env);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/LABFLEET_GITHUB_STATUS_TOKEN: required/);
  }, 30_000);
});

describe("hut lane health (quarantine)", () => {
  const health = (extra: Record<string, string>) =>
    lane(["health", "--slot", "hut-03", "--sha", GOOD, "--failures", "2"], {
      CI_SERVER_URL: gl.url,
      LABFLEET_RUNNER_API_TOKEN: gl.adminToken,
      ...extra,
    });
  const paused = () => gl.runnerList().find((r) => r.id === runnerId)?.paused;

  it("pauses the slot's runner after N consecutive failures and says why; a later pass resumes it", async () => {
    const first = await health({ CI_RUNNER_ID: String(runnerId) });
    expect(first.r.code).toBe(1);
    expect(first.report).toMatchObject({ status: "failed", lane: "local-hil", slot_id: "hut-03", power_cycles: 1, recovery_events: 0 });
    expect(first.json.quarantine).toEqual({ consecutive_failures: 1, paused: false, decision: "none" });
    expect(paused()).toBe(false);

    const second = await health({ CI_RUNNER_ID: String(runnerId) });
    expect(second.r.code).toBe(1);
    expect(second.json.quarantine).toEqual({ consecutive_failures: 2, paused: true, decision: "pause" });
    expect(second.report?.human_summary).toMatch(new RegExp(`^QUARANTINED: 2 consecutive failed health checks; GitLab runner ${runnerId} paused`));
    expect(second.report?.next_action).toMatch(/docs\/runbooks\/hardware-lane.md/);
    expect(paused()).toBe(true);
    const dir = join(tmp.path, "lane-state");
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "hut-03.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "hut-03.json"), "utf8"))).toMatchObject({ paused: true, runner_id: runnerId, gitlab_url: gl.url });

    // the board is fixed (it boots again); the operator runs the check on the host, outside CI:
    // the runner id and GitLab URL come from the state file
    const stop = bootingBoard(silent);
    try {
      const pass = await health({});
      expect(pass.r.code, pass.r.stderr).toBe(0);
      expect(pass.json.quarantine).toEqual({ consecutive_failures: 0, paused: false, decision: "resume" });
      expect(pass.report?.human_summary).toMatch(new RegExp(`quarantine lifted, GitLab runner ${runnerId} resumed`));
    } finally {
      stop();
    }
    expect(paused()).toBe(false);
    const puts = gl.requests.filter((q) => q.method === "PUT" && q.path === `/api/v4/runners/${runnerId}`);
    expect(puts.map((q) => q.status)).toEqual([200, 200]);
    expect(ha.sequence().filter((s) => s === "POST turn_off").length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
