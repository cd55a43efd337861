import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHandoffLog } from "../../../hardware/schema/handoff.ts";
import { type TempDir, baseEnv, runHut, tempDir } from "./helpers/cli.ts";

/** `hut handoff` as a process: the exit codes and files the role repositories' scripts/report rely on. */

let tmp: TempDir;
let log: string;
const env = baseEnv();
const base = ["--role", "runner", "--context", "runner-live", "--action-type", "execute", "--operator-required", "no", "--executor", "remote_codex"];

beforeAll(() => {
  tmp = tempDir("hut-handoff-");
  log = tmp.file("handoff_log.md", "# Handoff log — runner\n\n## Entries"); // no trailing newline: one is added
});
afterAll(() => tmp.cleanup());

describe("hut handoff", () => {
  it("fills status, commit, job, summary and evidence from a ws2 report and appends one valid line", async () => {
    const report = tmp.file("r.json", JSON.stringify({
      schema_version: "ws2.report.v1",
      job_id: "hil-7",
      agent_role: "runner",
      status: "timeout",
      start_utc: "2026-02-12T15:30:00Z",
      end_utc: "2026-02-12T15:40:00Z",
      duration_sec: 600,
      exit_code: 124,
      lock_key: "hil",
      human_summary: "flash timed out on hut-02",
      commit_sha: "0123456789abcdef",
      artifact_paths: ["logs/hil-7.log"],
    }));
    const r = await runHut(["handoff", "--log", log, "--report", report, ...base, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).entry).toMatchObject({ status: "failed", commit_sha: "0123456789abcdef", job_id: "hil-7", evidence: [report, "logs/hil-7.log"], summary: "flash timed out on hut-02" });
    const text = readFileSync(log, "utf8");
    expect(text.startsWith("# Handoff log — runner\n\n## Entries\n- ")).toBe(true);
    expect(parseHandoffLog(text)).toMatchObject({ entries: [{ role: "runner", status: "failed" }], problems: [] });
  });

  it("exit 2 naming each bad flag, nothing written; unreadable --log or --report named", async () => {
    const before = readFileSync(log, "utf8");
    const r = await runHut(["handoff", "--log", log, ...base, "--operator-required", "maybe", "--summary", "x", "--commit", "zz"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--commit: must be a hex commit sha/);
    expect(r.stderr).toMatch(/--operator-required: Invalid option/);
    expect(r.stderr).toMatch(/--evidence: is required/);
    expect(readFileSync(log, "utf8")).toBe(before);
    expect((await runHut(["handoff", "--log", tmp.path + "/none.md", ...base, "--status", "done", "--evidence", "a", "--summary", "x", "--commit", "none"], env)).stderr).toMatch(/--log: cannot read .*ENOENT/);
    const notReport = tmp.file("bad.json", JSON.stringify({ schema_version: "ws2.report.v1" }));
    const bad = await runHut(["handoff", "--log", log, "--report", notReport, ...base], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--report: .* is not a ws2.report.v1: job_id/);
  });

  it("--check: 0 for a valid log, 1 naming the line and field otherwise", async () => {
    expect((await runHut(["handoff", "--log", log, "--check"], env)).code).toBe(0);
    writeFileSync(log, `${readFileSync(log, "utf8")}- 2026-02-12T16:00Z commit_sha=none role=arch -- note\n`);
    const r = await runHut(["handoff", "--log", log, "--check"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 5: status: is required/);
  });
});
