import { describe, expect, it } from "vitest";
import { formatHandoffLine, type HandoffLine, parseHandoffLine, parseHandoffLog } from "../../../hardware/schema/handoff.ts";
import { HANDOFF_LOG, BOARD_FILE, handoffFormat, initialBoard, parseBoard, ROLE_DEFINITIONS, renderBoardRows } from "../../../components/gitlab/role-contract.ts";
import { ROLES } from "../../../components/gitlab/roles.ts";
import { GitlabBody } from "../../../components/gitlab/settings.ts";
import { renderBootstrap } from "../../../components/gitlab/templates.ts";

const entry: HandoffLine = {
  utc: "2026-02-12T15:30:00Z",
  commit_sha: "c03a9a0",
  role: "runner",
  status: "done",
  context: "runner-live",
  action_type: "execute",
  operator_required: "no",
  executor: "remote_codex",
  evidence: ["evidence/runner_hil.report.json", "https://gitlab.lab.example.org/runner/runner-agent/-/jobs/7"],
  job_id: "GOAL-001-WS8-0001",
  summary: "two slots flashed; next: soak run",
};

describe("the handoff line (one schema)", () => {
  it("formats and parses back to the same entry", () => {
    const line = formatHandoffLine(entry);
    expect(line).toBe(
      "- 2026-02-12T15:30:00Z commit_sha=c03a9a0 role=runner status=done context=runner-live action_type=execute operator_required=no executor=remote_codex evidence=evidence/runner_hil.report.json,https://gitlab.lab.example.org/runner/runner-agent/-/jobs/7 job_id=GOAL-001-WS8-0001 -- two slots flashed; next: soak run",
    );
    expect(parseHandoffLine(line)).toEqual({ ok: true, entry });
  });

  it("names each bad field: values, order, unknown and duplicate keys, missing summary", () => {
    const bad = (l: string) => (parseHandoffLine(l) as { errors: string[] }).errors;
    expect(bad(formatHandoffLine(entry).replace("status=done", "status=ok"))).toEqual([expect.stringMatching(/^status: Invalid option/)]);
    expect(bad(formatHandoffLine(entry).replace("commit_sha=c03a9a0", "commit_sha=HEAD"))).toEqual(['commit_sha: must be a hex commit sha (7+ digits) or "none"']);
    expect(bad(formatHandoffLine(entry).replace("role=runner status=done", "status=done role=runner"))).toEqual([expect.stringMatching(/^fields out of order/)]);
    expect(bad(formatHandoffLine(entry).replace(" job_id=", " ticket=x job_id="))).toEqual(["ticket: unknown field"]);
    expect(bad(formatHandoffLine(entry).replace("evidence=evidence/runner_hil.report.json,", "evidence=../secret,"))).toEqual([expect.stringMatching(/^evidence\.0: must be a file path/)]);
    expect(bad("- 2026-02-12T15:30:00Z commit_sha=none role=infra")).toEqual([expect.stringMatching(/^not a handoff line/)]);
    expect(bad("- 2026-02-12T15:30:00Z commit_sha=none role=infra --  ")).toEqual(expect.arrayContaining(["status: is required", "summary: must not be empty"]));
  });

  it("a log: entries and problems by line; examples in code fences are not entries", () => {
    const text = ["# Handoff log", "", "```", formatHandoffLine(entry), "```", "", formatHandoffLine(entry), "- 2026-02-12T16:00Z role=x -- bad", "- a plain note"].join("\n");
    const r = parseHandoffLog(text);
    expect(r.entries).toEqual([entry]);
    expect(r.problems.map((p) => p.line)).toEqual([8]);
  });
});

describe("the workstream board", () => {
  it("renders and parses back; bad owners and statuses are named by line", () => {
    const rows = [...initialBoard("infra"), { workstream: "WS4", owner: "infra:agent", status: "blocked" as const, blocker: "operator: VM image | quota", next_action: "wait", updated: "2026-02-12" }];
    const table = renderBoardRows(rows);
    expect(parseBoard(`# Board\n\n${table}\n`)).toEqual({ rows, problems: [] });
    const broken = table.replace("infra:agent", "bob").replace("| todo |", "| later |");
    expect(parseBoard(broken).problems).toEqual([expect.stringMatching(/^line 3: status: Invalid option/), expect.stringMatching(/^line 4: owner: must be <role>:codex/)]);
    expect(parseBoard("no table").problems).toEqual([expect.stringMatching(/^no board table/)]);
  });
});

describe("AGENTS.md and the coordination files are derived from the role definitions", () => {
  const g = GitlabBody.parse({
    url: "https://gitlab.lab.example.org",
    group: "lab",
    roles: { arch: { path: "arch-agent", namespace: "arch", existing: true }, infra: { path: "infra-agent", namespace: "infra" }, runner: { path: "runner-agent", namespace: "runner" } },
  });

  it("every role's file lists its own title, responsibilities, boundaries and discovery checks — and no other role's", () => {
    for (const role of ROLES) {
      const agents = renderBootstrap(g, role, "staging")["AGENTS.md"]!.content;
      const def = ROLE_DEFINITIONS[role];
      expect(agents).toContain(`# ${role} — ${def.title}: start here`);
      for (const line of [...def.responsibilities, ...def.boundaries]) expect(agents).toContain(`- ${line}`);
      for (const [n, c] of def.discovery.entries()) expect(agents).toContain(`${n + 1}. ${c}`);
      for (const other of ROLES.filter((r) => r !== role)) for (const b of ROLE_DEFINITIONS[other].boundaries) expect(agents).not.toContain(b);
      expect(agents).toContain(`namespace \`${role}\``);
    }
  });

  it("the role limits in the boundaries come from the ws2 timeouts; the board and log describe their formats", () => {
    expect(ROLE_DEFINITIONS.infra.boundaries.join(" ")).toContain("default 600 s, max 3600 s");
    expect(ROLE_DEFINITIONS.runner.boundaries.join(" ")).toContain("default 1800 s, max 14400 s");
    const files = renderBootstrap(g, "runner", "staging");
    expect(parseBoard(files[BOARD_FILE]!.content).rows).toEqual(initialBoard("runner"));
    expect(files[HANDOFF_LOG]!.content).toContain(handoffFormat("runner"));
    expect(parseHandoffLog(files[HANDOFF_LOG]!.content)).toEqual({ entries: [], problems: [] });
    expect(files[BOARD_FILE]!.seed && files[HANDOFF_LOG]!.seed).toBe(true);
    expect(files["AGENTS.md"]!.seed).toBe(false);
    expect(files["scripts/lib.sh"]!.content).toContain("ROLE=runner\nCONTEXT=runner-live\n");
  });
});
