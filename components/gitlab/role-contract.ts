import { z } from "zod";
import { AgentRole, HANDOFF_KEYS, HandoffAction, HandoffContext, HandoffExecutor, HandoffLine, HandoffStatus, formatHandoffLine } from "../../hardware/schema/handoff.ts";
import { ROLE_TIMEOUTS } from "../../hardware/schema/ws2.ts";
import { PRODUCT_ROLE, RESTRICTED_ROLE, type Role, RUNNER_ROLE } from "./roles.ts";

/**
 * The working contract every role repository carries (docs/design/gitlab.md, "The role
 * contract"): what each role is, owns and must not do, the checks it runs before changing
 * anything, the workstream board's columns and the handoff line. The bootstrap templates render
 * from these definitions (templates.ts), so AGENTS.md of every role comes from one place.
 */

/** Where the coordination files live in every role repository. */
export const BOARD_FILE = "documentation/coordination/workstream_board.md";
export const HANDOFF_LOG = "documentation/coordination/handoff_log.md";

export interface RoleDefinition {
  title: string;
  /** The handoff `context` of work done in this role's own environment. */
  context: z.infer<typeof HandoffContext>;
  responsibilities: string[];
  boundaries: string[];
  /** Discovery-first checks: run and read before mutating anything. */
  discovery: string[];
}

const limits = (role: keyof typeof ROLE_TIMEOUTS) =>
  `Runs jobs within the ${role} time limits (default ${ROLE_TIMEOUTS[role].defaultSec} s, max ${ROLE_TIMEOUTS[role].maxSec} s); a longer job is split, never raised.`;

export const ROLE_DEFINITIONS: Record<Role, RoleDefinition> = {
  [PRODUCT_ROLE]: {
    title: "Architecture Agent",
    context: "arch-local",
    responsibilities: [
      "Owns product-repository development, task coordination and status reporting.",
      `Delegates host and VM work to \`${RESTRICTED_ROLE}\` and CI/hardware runs to \`${RUNNER_ROLE}\` through ws2 invocations and their handoff logs.`,
      "Keeps the boards and handoff logs of every role readable and current.",
    ],
    boundaries: [
      "The only role that writes product code.",
      `Never implements an \`${RESTRICTED_ROLE}\` or \`${RUNNER_ROLE}\` workstream by editing or running commands in their repositories; SSH (executor=ssh_direct) is for bootstrap and emergencies only and is recorded in the handoff line.`,
      "Never stores credentials in a repository.",
    ],
    discovery: [
      "`git status` and `git log -1`: a clean tree at a known commit.",
      `Read the latest entries of the \`${RESTRICTED_ROLE}\` and \`${RUNNER_ROLE}\` handoff logs before delegating.`,
      "Before delegating: the target workstream has an owner on its board and the operator gate (operator_required) is decided.",
    ],
  },
  [RESTRICTED_ROLE]: {
    title: "Infrastructure Agent",
    context: "infra-live",
    responsibilities: [
      "Provisions and maintains hosts, containers and VMs (the runner VM included).",
      "Keeps its infrastructure code and evidence in this repository.",
    ],
    boundaries: [
      "Never clones, reads or edits the product repository; it has no access to it by design and asks `arch` through the handoff log instead.",
      `Talks to \`${RUNNER_ROLE}\` only when local host commands are the only way to reach the VM.`,
      limits("infra"),
    ],
    discovery: [
      "List what exists before changing it (`lxc list` or `incus list`, `ip -br addr`, `df -h`, `systemctl --failed`): never assume a host, VM or container exists.",
      "`hostname`, `whoami`, `uptime`: the host is the one the workstream names.",
      "`git remote -v`: an https:// remote of this repository only.",
    ],
  },
  [RUNNER_ROLE]: {
    title: "Runner Agent",
    context: "runner-live",
    responsibilities: [
      "Executes CI/CD and hardware workflows inside the runner VM through the `hut` CLI.",
      "Reports results back to `arch` as ws2 reports plus a handoff line with the commit SHA.",
    ],
    boundaries: [
      "Works on product clones only inside the VM, at the commit SHA the invocation names; never pushes product code.",
      "Does not own the host's virtualization lifecycle (that is `infra`).",
      "One job per slot: every hardware step runs under the slot lock (`scripts/lock`).",
      limits("runner"),
    ],
    discovery: [
      "`hut slots` and `hut doctor`: the inventory's slots, serial devices, relays and esptool.",
      "`hut who`: the slot locks held right now; never break another job's lock.",
      "`git remote -v`: an https:// remote of this repository only.",
    ],
  },
};

// ---- the workstream board -----------------------------------------------------------------

export const BOARD_COLUMNS = ["workstream", "owner", "status", "blocker", "next action", "updated (UTC)"] as const;
export const BoardStatus = z.enum(["todo", "in_progress", "blocked", "done"]);

/** `<role>:codex` (the role's own runtime) or `<role>:agent` (arch acting as a proxy executor). */
const Owner = z.string().regex(new RegExp(`^(?:${AgentRole.options.join("|")}):(?:codex|agent)$|^unassigned$`), "must be <role>:codex, <role>:agent or unassigned");

export const BoardRow = z.strictObject({
  workstream: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be an id like WS2 or infra-bootstrap"),
  owner: Owner,
  status: BoardStatus,
  blocker: z.string().min(1, "write none when nothing blocks"),
  next_action: z.string().min(1),
  updated: z.string().regex(/^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z)?|-)$/, "must be a UTC date/time or -"),
});
export type BoardRow = z.infer<typeof BoardRow>;

const cell = (s: string) => s.replaceAll("|", "\\|");

export function renderBoardRows(rows: BoardRow[]): string {
  const head = `| ${BOARD_COLUMNS.join(" | ")} |`;
  const rule = `|${BOARD_COLUMNS.map((c) => "-".repeat(c.length + 2)).join("|")}|`;
  const body = rows.map((r) => `| ${[r.workstream, r.owner, r.status, r.blocker, r.next_action, r.updated].map(cell).join(" | ")} |`);
  return [head, rule, ...body].join("\n");
}

/** The board table of a workstream_board.md: its rows, and each row's problems by line. */
export function parseBoard(text: string): { rows: BoardRow[]; problems: string[] } {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === `| ${BOARD_COLUMNS.join(" | ")} |`);
  if (start < 0) return { rows: [], problems: [`no board table with the columns ${BOARD_COLUMNS.join(", ")}`] };
  const rows: BoardRow[] = [];
  const problems: string[] = [];
  for (let n = start + 2; n < lines.length && lines[n]!.trim().startsWith("|"); n++) {
    const cells = lines[n]!.trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replaceAll("\\|", "|"));
    const [workstream, owner, status, blocker, next_action, updated] = cells;
    const r = BoardRow.safeParse({ workstream, owner, status, blocker, next_action, updated });
    if (cells.length !== BOARD_COLUMNS.length) problems.push(`line ${n + 1}: expected ${BOARD_COLUMNS.length} cells, found ${cells.length}`);
    else if (r.success) rows.push(r.data);
    else problems.push(...r.error.issues.map((i) => `line ${n + 1}: ${String(i.path[0])}: ${i.message}`));
  }
  return { rows, problems };
}

/** The row a new repository's board starts with: the role's own bootstrap workstream. */
export function initialBoard(role: Role): BoardRow[] {
  return [
    {
      workstream: `${role}-bootstrap`,
      owner: `${role}:codex`,
      status: "todo",
      blocker: "none",
      next_action: "Read AGENTS.md, run the discovery-first checks, log the first handoff line with scripts/report",
      updated: "-",
    },
  ];
}

// ---- the handoff line, as the log's header describes it -----------------------------------

/** The format section of a handoff log: the fields, their values and one example line. */
export function handoffFormat(role: Role): string {
  const values: Record<string, string> = {
    commit_sha: "hex commit SHA (7+ digits) or `none`",
    role: AgentRole.options.map((v) => `\`${v}\``).join(" | "),
    status: HandoffStatus.options.map((v) => `\`${v}\``).join(" | "),
    context: HandoffContext.options.map((v) => `\`${v}\``).join(" | "),
    action_type: HandoffAction.options.map((v) => `\`${v}\``).join(" | "),
    operator_required: "`yes` | `no`",
    executor: HandoffExecutor.options.map((v) => `\`${v}\``).join(" | "),
    evidence: "comma-separated file paths or https:// URLs (at least one)",
    job_id: "optional: the ws2 job id",
  };
  const example = formatHandoffLine(
    HandoffLine.parse({
      utc: "2026-02-12T15:30:00Z",
      commit_sha: "c03a9a0",
      role,
      status: "done",
      context: ROLE_DEFINITIONS[role].context,
      action_type: "execute",
      operator_required: "no",
      executor: "remote_codex",
      evidence: [`evidence/${role}_smoke.report.json`],
      job_id: `${role}-smoke-0001`,
      summary: "smoke job passed; next: claim the next workstream",
    }),
  );
  return [
    "One line per handoff, appended (newest last), written by `scripts/report` (which validates it with `hut handoff`):",
    "",
    "`- <UTC time> commit_sha=… role=… status=… context=… action_type=… operator_required=… executor=… evidence=…[ job_id=…] -- <summary and next step>`",
    "",
    ...HANDOFF_KEYS.map((k) => `- \`${k}\`: ${values[k]}`),
    "",
    "Example:",
    "",
    "```",
    example,
    "```",
  ].join("\n");
}
