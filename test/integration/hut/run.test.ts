import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Report } from "../../../hardware/schema/ws2.ts";
import { type TempDir, alive, baseEnv, runHut, startHut, tempDir, until } from "./helpers/cli.ts";

/** `hut run`: ws2 invocations → schema-valid ws2 reports, with real processes. */

let tmp: TempDir;
let n = 0;

beforeAll(() => {
  tmp = tempDir("hut-run-");
});
afterAll(() => tmp.cleanup());

const env = () => baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_CANCEL_DIR: join(tmp.path, "cancel") });

function invocation(over: Record<string, unknown>) {
  const id = `job-${++n}`;
  const doc = {
    schema_version: "ws2.invocation.v1",
    job_id: id,
    target_role: "runner",
    requested_by: "arch-agent",
    request_utc: "2025-05-01T10:00:00Z",
    command: ["true"],
    timeout_sec: 60,
    lock_key: "hut-01",
    workdir: tmp.path,
    ...over,
  };
  return { id, file: tmp.file(`${id}.json`, JSON.stringify(doc)) };
}

async function run(over: Record<string, unknown>, useReportFile = false) {
  const inv = invocation(over);
  const reportFile = join(tmp.path, `${inv.id}.report.json`);
  const r = await runHut(["run", "--invocation", inv.file, ...(useReportFile ? ["--report", reportFile] : [])], env());
  const text = useReportFile ? readFileSync(reportFile, "utf8") : r.stdout;
  const report = Report.parse(JSON.parse(text)); // schema-valid, or the test fails here
  return { r, report, id: inv.id };
}

describe("hut run", () => {
  it("success: status success, exit 0, artifacts listed, executor and commit recorded", async () => {
    const { r, report, id } = await run(
      {
        command: ["mkdir -p out && echo built > out/fw.bin && echo log > build.log && echo $LABFLEET_JOB_ID"],
        expected_artifacts: ["out", "build.log"],
        commit_sha: "3f2c1a9",
      },
      true,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(report).toMatchObject({
      schema_version: "ws2.report.v1",
      job_id: id,
      agent_role: "runner",
      status: "success",
      exit_code: 0,
      lock_key: "hut-01",
      commit_sha: "3f2c1a9",
      artifact_paths: [join(tmp.path, "out/fw.bin"), join(tmp.path, "build.log")],
    });
    expect(report.executor?.hostname).toBeTruthy();
    expect(Date.parse(report.end_utc)).toBeGreaterThanOrEqual(Date.parse(report.start_utc));
    expect(r.stderr).toContain(id); // the command's output goes to stderr
    expect(r.stdout).toBe("");
  });

  it("a hardware job: --lane and --slot become the report's lane and slot_id; a bad lane exits 2", async () => {
    const inv = invocation({ command: ["true"] });
    const r = await runHut(["run", "--invocation", inv.file, "--lane", "local-hil", "--slot", "hut-01"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(Report.parse(JSON.parse(r.stdout))).toMatchObject({ status: "success", lane: "local-hil", slot_id: "hut-01" });
    const bad = await runHut(["run", "--invocation", inv.file, "--lane", "hil"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lane/);
  });

  it("failure: non-zero exit → failed with the command's exit code; partial artifacts still listed", async () => {
    const { r, report } = await run({
      command: ["echo partial > part.txt; exit 3"],
      expected_artifacts: ["part.txt", "never.txt"],
    });
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "failed", exit_code: 3, artifact_paths: [join(tmp.path, "part.txt")] });
    expect(report.human_summary).toContain("missing artifacts: never.txt");
  });

  it("timeout: the command is killed at timeout_sec → timeout, exit_code 124", async () => {
    const pidFile = join(tmp.path, "timeout.pid");
    const { r, report } = await run({ command: [`echo $$ > ${pidFile}; echo started > t.txt; sleep 30`], timeout_sec: 1, expected_artifacts: ["t.txt"] });
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "timeout", exit_code: 124, artifact_paths: [join(tmp.path, "t.txt")] });
    expect(report.duration_sec).toBeGreaterThanOrEqual(1);
    expect(report.duration_sec).toBeLessThan(6);
    expect(alive(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });

  it("cancellation: the flag file stops a running job → cancelled", async () => {
    const inv = invocation({ command: ["echo step1 > c.txt; sleep 30"], expected_artifacts: ["c.txt"] });
    const h = startHut(["run", "--invocation", inv.file], env());
    await until(() => existsSync(join(tmp.path, "c.txt")), 10_000, "the job to start");
    const flag = join(tmp.path, "cancel", `labfleet-cancel-${inv.id}.flag`);
    mkdirSync(join(tmp.path, "cancel"), { recursive: true });
    writeFileSync(flag, "");
    const r = await h.done;
    expect(r.code).toBe(1);
    const report = Report.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ status: "cancelled", exit_code: 130, artifact_paths: [join(tmp.path, "c.txt")] });
    expect(report.human_summary).toContain(flag);
    expect(report.duration_sec).toBeLessThan(8);
  });

  it("SIGTERM to hut ends the job as cancelled and still writes the report", async () => {
    const inv = invocation({ command: ["echo s > sig.txt; sleep 30"], expected_artifacts: ["sig.txt"] });
    const reportFile = join(tmp.path, `${inv.id}.report.json`);
    const h = startHut(["run", "--invocation", inv.file, "--report", reportFile], env());
    await until(() => existsSync(join(tmp.path, "sig.txt")), 10_000, "the job to start");
    h.child.kill("SIGTERM");
    const r = await h.done;
    expect(r.code).toBe(1);
    const report = Report.parse(JSON.parse(readFileSync(reportFile, "utf8")));
    expect(report).toMatchObject({ status: "cancelled", exit_code: 130, artifact_paths: [join(tmp.path, "sig.txt")] });
    expect(report.human_summary).toContain("SIGTERM");
  });

  it("cancellation before start: the command never runs", async () => {
    const inv = invocation({ command: ["echo ran > ran.txt"] });
    mkdirSync(join(tmp.path, "cancel"), { recursive: true });
    writeFileSync(join(tmp.path, "cancel", `labfleet-cancel-${inv.id}.flag`), "");
    const r = await runHut(["run", "--invocation", inv.file], env());
    expect(r.code).toBe(1);
    expect(Report.parse(JSON.parse(r.stdout))).toMatchObject({ status: "cancelled", exit_code: 130 });
    expect(existsSync(join(tmp.path, "ran.txt"))).toBe(false);
  });

  it("over the role maximum: rejected with a report (exit 2), the command never runs", async () => {
    const { r, report } = await run({ target_role: "infra", timeout_sec: 3601, command: ["echo ran > over.txt"] });
    expect(r.code).toBe(2);
    expect(report).toMatchObject({ status: "failed", agent_role: "infra", exit_code: 2, next_action: "resubmit with timeout_sec ≤ 3600" });
    expect(report.human_summary).toContain("timeout_sec 3601s exceeds the infra maximum of 3600s");
    expect(existsSync(join(tmp.path, "over.txt"))).toBe(false);
    const runner = await run({ target_role: "runner", timeout_sec: 14401 });
    expect(runner.r.code).toBe(2);
    expect(runner.report.human_summary).toContain("14400");
  });

  it("a missing timeout_sec gets the role default; the limits are accepted up to the maximum", async () => {
    const { r, report } = await run({ timeout_sec: undefined, target_role: "infra" });
    expect(r.code, r.stderr).toBe(0);
    expect(report.status).toBe("success");
    expect((await run({ target_role: "runner", timeout_sec: 14400 })).report.status).toBe("success");
  });

  it("one active job per (target_role, lock_key); other keys and roles run alongside", async () => {
    const log = join(tmp.path, "jobs.log");
    const step = (tag: string) => [`echo "${tag} start $(date +%s%N)" >> ${log}; sleep 1; echo "${tag} end $(date +%s%N)" >> ${log}`];
    const jobs = [
      invocation({ command: step("a"), lock_key: "shared" }),
      invocation({ command: step("b"), lock_key: "shared" }),
      invocation({ command: step("c"), lock_key: "shared", target_role: "infra" }),
    ];
    const results = await Promise.all(jobs.map((j) => runHut(["run", "--invocation", j.file], env())));
    expect(results.map((x) => x.code)).toEqual([0, 0, 0]);
    const iv = new Map<string, number[]>();
    for (const line of readFileSync(log, "utf8").trim().split("\n")) {
      const [tag, , ns] = line.split(" ") as [string, string, string];
      iv.set(tag, [...(iv.get(tag) ?? []), Number(BigInt(ns) / 1000000n)]);
    }
    const overlap = (x: string, y: string) => Math.min(iv.get(x)![1]!, iv.get(y)![1]!) - Math.max(iv.get(x)![0]!, iv.get(y)![0]!);
    expect(overlap("a", "b")).toBeLessThan(0);
    expect(Math.max(overlap("a", "c"), overlap("b", "c"))).toBeGreaterThan(300);
  });

  it("bad invocations exit 2 naming the key, without a report", async () => {
    const missing = invocation({ job_id: undefined });
    const r1 = await runHut(["run", "--invocation", missing.file], env());
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("job_id: required");
    expect(r1.stdout).toBe("");
    const badRole = invocation({ target_role: "arch", extra_key: 1 });
    const r2 = await runHut(["run", "--invocation", badRole.file], env());
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("target_role");
    expect(r2.stderr).toContain("extra_key: unknown key");
    const none = await runHut(["run"], env());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--invocation");
  });

  it("a command that cannot start → failed, exit_code 127", async () => {
    const { r, report } = await run({ command: ["/nonexistent/tool --x"] });
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "failed", exit_code: 127, steps: [{ command: "/nonexistent/tool --x", exit_code: 127 }] });
    expect(report.human_summary).toContain("step 1/1");
  });

  it("steps: each runs with /bin/sh -c in workdir, in order; the report lists each step's exit code", async () => {
    const { r, report } = await run({ command: ["hostname", "whoami", "uptime", "pwd > where.txt"], expected_artifacts: ["where.txt"], commit_sha: "none" });
    expect(r.code, r.stderr).toBe(0);
    expect(report).toMatchObject({
      status: "success",
      exit_code: 0,
      commit_sha: "none",
      steps: [
        { command: "hostname", exit_code: 0 },
        { command: "whoami", exit_code: 0 },
        { command: "uptime", exit_code: 0 },
        { command: "pwd > where.txt", exit_code: 0 },
      ],
    });
    expect(readFileSync(join(tmp.path, "where.txt"), "utf8").trim()).toBe(tmp.path);
    expect(r.stderr).toContain(hostname());
    expect(r.stderr).toContain(userInfo().username);
  });

  it("steps stop at the first failure: later steps never run", async () => {
    const { r, report } = await run({ command: ["echo one > s1.txt", "exit 4", "echo three > s3.txt"] });
    expect(r.code).toBe(1);
    expect(report).toMatchObject({ status: "failed", exit_code: 4, steps: [{ command: "echo one > s1.txt", exit_code: 0 }, { command: "exit 4", exit_code: 4 }] });
    expect(report.human_summary).toContain("step 2/3");
    expect(existsSync(join(tmp.path, "s1.txt"))).toBe(true);
    expect(existsSync(join(tmp.path, "s3.txt"))).toBe(false);
  });

  it("cancellation is checked between steps, and the consumed flag is removed", async () => {
    const inv = invocation({ command: ['touch "$CANCEL_FLAG"', "echo two > two.txt"] });
    const flag = join(tmp.path, "cancel", `labfleet-cancel-${inv.id}.flag`);
    const r = await runHut(["run", "--invocation", inv.file], { ...env(), CANCEL_FLAG: flag });
    expect(r.code).toBe(1);
    const report = Report.parse(JSON.parse(r.stdout));
    expect(report).toMatchObject({ status: "cancelled", exit_code: 130, steps: [{ command: 'touch "$CANCEL_FLAG"', exit_code: 0 }] });
    expect(report.human_summary).toContain("before step 2/2");
    expect(existsSync(join(tmp.path, "two.txt"))).toBe(false);
    expect(existsSync(flag)).toBe(false);
  });

  it("creates its lock and flag directories private, and refuses world-writable ones naming the setting", async () => {
    const locks = join(tmp.path, "fresh", "locks");
    const cancel = join(tmp.path, "fresh", "cancel");
    const inv = invocation({});
    const r = await runHut(["run", "--invocation", inv.file], baseEnv({ HUT_LOCK_DIR: locks, HUT_CANCEL_DIR: cancel }));
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(locks).mode & 0o777).toBe(0o750);
    expect(statSync(cancel).mode & 0o777).toBe(0o700);
    expect(statSync(join(locks, "holders")).mode & 0o777).toBe(0o700);
    const open = join(tmp.path, "open");
    mkdirSync(open);
    chmodSync(open, 0o1777);
    const bad = await runHut(["run", "--invocation", invocation({}).file], baseEnv({ HUT_LOCK_DIR: locks, HUT_CANCEL_DIR: open }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`HUT_CANCEL_DIR: ${open} is world-writable`);
  });

  it("commit_sha must be a hex sha or \"none\"", async () => {
    const r = await runHut(["run", "--invocation", invocation({ commit_sha: "main" }).file], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('commit_sha: must be a hex commit sha or "none"');
  });
});
