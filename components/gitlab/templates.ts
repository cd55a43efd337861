/** Renders the bootstrap file templates of `labfleet:gitlab.bootstrap` for one role repository. */
import { renderTemplate, type TemplateVar } from "./contract-templates.ts";
import { httpsOrLoopback } from "./naming.ts";
import { BoardStatus, handoffFormat, initialBoard, ROLE_DEFINITIONS, renderBoardRows } from "./role-contract.ts";
import { ROLES, type Role } from "./roles.ts";
import { type GitlabConfig, roleNamespace, roleProjectPath } from "./settings.ts";

export interface RenderedFile {
  content: string;
  executable: boolean;
  /** Created once, then the agents' (bootstrap.seedOnly). */
  seed: boolean;
}

/** HTTPS clone URL of a role repository (labfleet uses HTTPS remotes only). */
export function repoUrl(g: GitlabConfig, role: Role): string {
  const base = g.url.replace(/\/+$/, "");
  if (!httpsOrLoopback(base)) throw new Error(`labfleet:gitlab.url must be https:// (got ${base})`);
  return `${base}/${roleProjectPath(g, role)}.git`;
}

const bullets = (items: string[]) => items.map((b) => `- ${b}`).join("\n");
const numbered = (items: string[]) => items.map((b, n) => `${n + 1}. ${b}`).join("\n");

const SCRIPT_HELP = [
  "`scripts/invoke <invocation.json> [<report.json>]`: runs a ws2 invocation with `hut run` and writes its report (default `evidence/<name>.report.json`); exits with hut's status (0 only on success, 2 for a bad invocation).",
  "`scripts/report [--report <ws2 report>] --action-type … --operator-required yes|no --evidence … --summary …`: appends one validated handoff line (`hut handoff`); 2 names an invalid field and writes nothing. `scripts/report --check` validates the whole log.",
  "`scripts/lock --slot <id> [--wait <s>] -- <command>…`: runs a command holding the slot lock (`hut lock`); the command's status, 75 when the lock was not acquired within `--wait`.",
  "`scripts/startup.sh`: prints the read-order files.",
];

export function templateVars(g: GitlabConfig, role: Role, stack: string): Record<TemplateVar, string> {
  const def = ROLE_DEFINITIONS[role];
  const rows = ROLES.map((r) => `| ${r} | ${ROLE_DEFINITIONS[r].title} | ${roleProjectPath(g, r)} | ${repoUrl(g, r)} |`);
  return {
    role,
    title: def.title,
    context: def.context,
    project: roleProjectPath(g, role),
    repoUrl: repoUrl(g, role),
    host: new URL(g.url).host,
    group: g.group,
    namespace: roleNamespace(g, role),
    stack,
    readOrder: numbered(g.bootstrap.readOrder.map((f) => `\`${f}\``)),
    responsibilities: bullets(def.responsibilities),
    boundaries: bullets(g.roles[role].boundaries),
    discovery: numbered(def.discovery),
    scripts: bullets(SCRIPT_HELP),
    roles: ["| role | title | project | remote |", "|------|-------|---------|--------|", ...rows].join("\n"),
    board: renderBoardRows(initialBoard(role)),
    boardStatuses: BoardStatus.options.map((s) => `\`${s}\``).join(", "),
    handoffFormat: handoffFormat(role),
  };
}

export function renderBootstrap(g: GitlabConfig, role: Role, stack: string): Record<string, RenderedFile> {
  const vars = templateVars(g, role, stack);
  const exec = new Set(g.bootstrap.executable);
  const seed = new Set(g.bootstrap.seedOnly);
  return Object.fromEntries(
    Object.entries(g.bootstrap.files).map(([path, template]) => [
      path,
      { content: renderTemplate(template, vars), executable: exec.has(path), seed: seed.has(path) },
    ]),
  );
}
