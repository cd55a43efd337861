import { BOARD_FILE, HANDOFF_LOG } from "./role-contract.ts";

/**
 * The default bootstrap templates of a role repository (`labfleet:gitlab.bootstrap.files`) and
 * their placeholders. The placeholders are filled from the role contract (role-contract.ts) by
 * templates.ts; docs/design/gitlab.md ("The role contract") describes the files.
 */

/** Placeholders a bootstrap template may use: `{{role}}`, `{{readOrder}}`, … */
export const TEMPLATE_VARS = {
  role: "the role name (arch, infra, runner)",
  title: "the role's title (e.g. Infrastructure Agent)",
  context: "the handoff context of the role's own environment (arch-local, infra-live, runner-live)",
  project: "the repository's full path, e.g. infra/infra-agent",
  repoUrl: "the repository's HTTPS clone URL",
  host: "the GitLab host name",
  group: "the default namespace (labfleet:gitlab.group)",
  namespace: "the namespace holding this role's repository",
  stack: "the Pulumi stack name",
  readOrder: "the startup read order as a numbered Markdown list",
  responsibilities: "the role's responsibilities as a bulleted Markdown list",
  boundaries: "the role's boundaries as a bulleted Markdown list",
  discovery: "the role's discovery-first checks as a numbered Markdown list",
  scripts: "the scripts/ wrappers and their exit codes as a bulleted Markdown list",
  roles: "every role and its repository as a Markdown table",
  board: "the workstream board table (owner, status, blocker, next action) with the role's first row",
  boardStatuses: "the board's status values",
  handoffFormat: "the handoff line format: fields, values and an example",
} as const;
export type TemplateVar = keyof typeof TEMPLATE_VARS;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Names of the placeholders a template uses. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Fills a template. Unknown placeholders are a config error before this is ever called. */
export function renderTemplate(template: string, vars: Record<TemplateVar, string>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => vars[name as TemplateVar] ?? "");
}

export const DEFAULT_TEMPLATES: Record<string, string> = {
  "AGENTS.md": `# {{role}} — {{title}}: start here

Repository: {{project}} ({{repoUrl}}), namespace \`{{namespace}}\`.
Managed by the labfleet Pulumi stack \`{{stack}}\`: these files are bootstrapped from its role contract.

## Startup read order

Read these files in this order before doing anything else:

{{readOrder}}

Then claim one workstream on the board (owner, status), work only on it, and log a handoff line
with the next step before stopping.

## Responsibilities

{{responsibilities}}

## Role boundaries

{{boundaries}}

## Discovery-first checks

Run these and read their output before changing anything:

{{discovery}}

## Scripts

{{scripts}}

## Role repositories

{{roles}}

Remotes are HTTPS only. Credentials live in
\`\${XDG_CONFIG_HOME:-$HOME/.config}/labfleet/credentials/gitlab/{{host}}/{{role}}.env\`, never in this repository.
`,
  [BOARD_FILE]: `# Workstream board — {{role}}

Claim a workstream by setting its owner and status before working on it; one row per workstream.
Owner: \`<role>:codex\` (the role's own runtime) or \`<role>:agent\` (arch acting as a proxy:
bootstrap or emergency only, logged with executor=ssh_direct). Status: {{boardStatuses}}.
Blocker: \`none\` or what blocks the next action.

{{board}}
`,
  [HANDOFF_LOG]: `# Handoff log — {{role}}

{{handoffFormat}}

## Entries

`,
  "scripts/lib.sh": `# Sourced by scripts/invoke, scripts/report and scripts/lock ({{role}} role): finds hut and this repository.
HUT=\${HUT:-hut}
ROLE={{role}}
CONTEXT={{context}}
ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
if ! command -v "$HUT" >/dev/null 2>&1; then
  echo "$(basename -- "$0"): the hut CLI ($HUT) was not found; install it or set HUT" >&2
  exit 127
fi
`,
  "scripts/invoke": `#!/bin/sh
# Runs a ws2 invocation with \`hut run\` and writes its ws2 report ({{role}} role).
# usage: scripts/invoke <invocation.json> [<report.json>]   (default report: evidence/<name>.report.json)
# exit: hut run's status — 0 only when the report says success, 2 for a bad invocation
set -eu
. "$(dirname -- "$0")/lib.sh"
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: scripts/invoke <invocation.json> [<report.json>]" >&2
  exit 2
fi
report=\${2:-$ROOT/evidence/$(basename -- "$1" .json).report.json}
mkdir -p "$(dirname -- "$report")"
status=0
"$HUT" run --invocation "$1" --report "$report" || status=$?
if [ -f "$report" ]; then printf '%s\\n' "$report"; fi
exit "$status"
`,
  "scripts/report": `#!/bin/sh
# Appends one validated line to this role's handoff log with \`hut handoff\` ({{role}} role).
# usage: scripts/report [--report <ws2 report>] --action-type <t> --operator-required yes|no
#                       [--status <s>] [--evidence <p>]... [--executor ssh_direct] [--commit <sha>] --summary <text>
#        scripts/report --check      (validates every line of the log)
# exit: hut handoff's status — 2 names an invalid field (nothing is written), 1 a --check problem
set -eu
. "$(dirname -- "$0")/lib.sh"
head=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo none)
exec "$HUT" handoff --log "$ROOT/${HANDOFF_LOG}" --role "$ROLE" --context "$CONTEXT" --executor remote_codex --repo-commit "$head" "$@"
`,
  "scripts/lock": `#!/bin/sh
# Runs a command holding a HUT slot's lock with \`hut lock\` ({{role}} role).
# usage: scripts/lock --slot <id> [--wait <seconds>] -- <command>...
# exit: the command's status; 75 when the lock was not acquired within --wait; 2 for a bad slot or flag
set -eu
. "$(dirname -- "$0")/lib.sh"
exec "$HUT" lock "$@"
`,
  "scripts/startup.sh": `#!/bin/sh
# Prints the startup read order of this repository ({{role}} role).
set -eu
cd "$(dirname "$0")/.."
for f in AGENTS.md ${BOARD_FILE} ${HANDOFF_LOG}; do
  printf '==> %s <==\\n' "$f"
  cat "$f"
done
`,
};

export const DEFAULT_READ_ORDER = ["AGENTS.md", BOARD_FILE, HANDOFF_LOG];
export const SCRIPTS = ["scripts/invoke", "scripts/report", "scripts/lock"];
export const REQUIRED_FILES = [...DEFAULT_READ_ORDER, "scripts/lib.sh", ...SCRIPTS];

