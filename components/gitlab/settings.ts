import { z } from "zod";
import { ROLE_TIMEOUTS } from "../../hardware/schema/ws2.ts";
import { ROLES, type Role, TOKEN_SCOPES } from "./roles.ts";

/**
 * Settings of the GitLab area (`labfleet:gitlab`, registered by stacks/config/sections/gitlab.ts):
 * one repository per agent role, role access tokens, bootstrap governance files and one CI runner
 * per HUT slot label (on the `runner` repository).
 */

/** Placeholders a bootstrap template may use: `{{role}}`, `{{readOrder}}`, … */
export const TEMPLATE_VARS = {
  role: "the role name (arch, infra, runner)",
  project: "the repository's full path, e.g. lab-agents/infra",
  repoUrl: "the repository's HTTPS clone URL",
  host: "the GitLab host name",
  group: "the namespace holding the role repositories",
  stack: "the Pulumi stack name",
  readOrder: "the startup read order as a numbered Markdown list",
  boundaries: "the role's boundaries as a bulleted Markdown list",
  roles: "every role and its repository as a Markdown table",
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

const DEFAULT_BOUNDARIES: Record<Role, string[]> = {
  arch: [
    "Owns the product code and its design; the only role that writes to this repository.",
    "Hands infrastructure work to `infra` and hardware runs to `runner` through the handoff log, never by editing their repositories.",
    "Never stores credentials in the repository.",
  ],
  infra: [
    "Owns the lab infrastructure code in this repository only.",
    "Has no access to the product repository, by design; asks `arch` through the handoff log for anything there.",
    "Runs jobs within the infra time limits (default 600 s, max 3600 s).",
  ],
  runner: [
    "Owns the CI runner configuration and hardware job definitions in this repository only.",
    "Runs hardware jobs on the HUT slots through the `hut` CLI, one slot lock at a time.",
    "Runs jobs within the runner time limits (default 1800 s, max 14400 s).",
  ],
};

export const DEFAULT_TEMPLATES: Record<string, string> = {
  "AGENTS.md": `# {{role}} agent — start here

Repository: {{project}} ({{repoUrl}})
Managed by the labfleet Pulumi stack \`{{stack}}\`.

## Startup read order

Read these files in this order before doing anything else:

{{readOrder}}

## Role boundaries

{{boundaries}}

## Role repositories

{{roles}}

Remotes are HTTPS only. Credentials live in
\`\${XDG_CONFIG_HOME:-$HOME/.config}/labfleet/credentials/gitlab/{{host}}/{{role}}.env\`, never in this repository.
`,
  "documentation/coordination/workstream_board.md": `# Workstream board — {{role}}

| workstream | owner | status | next step | updated (UTC) |
|------------|-------|--------|-----------|---------------|
`,
  "documentation/coordination/handoff_log.md": `# Handoff log — {{role}}

Append-only. One entry per handoff, newest last:
\`YYYY-MM-DDTHH:MMZ — from → to — what was handed over — where to continue\`.
`,
  "scripts/startup.sh": `#!/bin/sh
# Prints the startup read order of this repository ({{role}} role).
set -eu
cd "$(dirname "$0")/.."
for f in AGENTS.md documentation/coordination/workstream_board.md documentation/coordination/handoff_log.md; do
  printf '==> %s <==\\n' "$f"
  cat "$f"
done
`,
};

const DEFAULT_READ_ORDER = [
  "AGENTS.md",
  "documentation/coordination/workstream_board.md",
  "documentation/coordination/handoff_log.md",
];
const REQUIRED_FILES = DEFAULT_READ_ORDER;

const filePath = z
  .string()
  .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/, "must be a relative path without . or .. segments");

function roleRepo(role: Role) {
  return z.strictObject({
    path: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a GitLab project path").describe("project path inside the group"),
    existing: z.boolean().default(false).describe("adopt an existing project and never delete it (the product repo)"),
    tokenScopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1)
      .default(["read_repository", "write_repository"])
      .describe("scopes of the role's project access token (keep them minimal)"),
    accessLevel: z.enum(["guest", "reporter", "developer", "maintainer"]).default("developer").describe("role of the token's bot user on the project"),
    boundaries: z.array(z.string().min(1)).min(1).default(DEFAULT_BOUNDARIES[role]).describe("role boundaries listed in AGENTS.md"),
  });
}

export const Bootstrap = z.strictObject({
  files: z
    .record(filePath, z.string())
    .default(DEFAULT_TEMPLATES)
    .describe(`bootstrap file templates by path; placeholders: ${Object.keys(TEMPLATE_VARS).map((k) => `{{${k}}}`).join(", ")}`),
  executable: z.array(filePath).default(["scripts/startup.sh"]).describe("files committed with the executable bit"),
  readOrder: z.array(filePath).min(1).default(DEFAULT_READ_ORDER).describe("startup read order rendered into {{readOrder}}"),
  commitMessage: z.string().min(1).default("labfleet: bootstrap role repository").describe("message of the single bootstrap commit"),
  updateMessage: z.string().min(1).default("labfleet: update bootstrap files from templates").describe("message of a template-update commit"),
});

export const Protection = z.strictObject({
  push: z.enum(["maintainers", "no_one"]).default("maintainers").describe("who may push to main; no_one sends template updates through a merge request"),
  merge: z.literal("maintainers").default("maintainers").describe("who may merge into main"),
});

export const Runners = z.strictObject({
  maximumTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(ROLE_TIMEOUTS.runner.maxSec, `must not exceed the runner role limit of ${ROLE_TIMEOUTS.runner.maxSec}s`)
    .default(ROLE_TIMEOUTS.runner.maxSec)
    .describe("maximum job timeout of each slot runner (runner role limit)"),
  accessLevel: z.enum(["not_protected", "ref_protected"]).default("not_protected").describe("which refs the runner picks jobs for"),
  descriptionPrefix: z.string().regex(/^[a-z][a-z0-9-]*$/).default("labfleet").describe("runner description prefix; the description identifies the runner"),
});

export const GitlabBody = z.strictObject({
  url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).describe("GitLab base URL (HTTPS only)"),
  group: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*(\/[a-zA-Z0-9][a-zA-Z0-9_.-]*)*$/, "must be a group full path like lab-agents or lab/agents")
    .describe("namespace that holds the role repositories (must exist)"),
  roles: z.strictObject({ arch: roleRepo("arch"), infra: roleRepo("infra"), runner: roleRepo("runner") }),
  tokenLifetimeDays: z.number().int().min(2).max(365).default(90).describe("lifetime of each role token (expires_at is always set)"),
  rotateBeforeDays: z.number().int().min(1).default(14).describe("an up rotates a role token this many days before it expires"),
  runnerHostRoles: z
    .array(z.enum(ROLES))
    .default(["runner"])
    .describe("roles whose agents live on the runner hosts: their token is delivered into each runner host (0600 env file) and rotates in two phases"),
  protection: Protection.prefault({}).describe("protection of main on every role repository"),
  bootstrap: Bootstrap.prefault({}).describe("governance files committed once into every role repository"),
  runners: Runners.prefault({}).describe("settings of the per-slot runners on the runner repository"),
});
export type GitlabConfig = z.output<typeof GitlabBody>;

/** Cross-key rules (zod v4 objects with refinements cannot be extended, so they run here). */
export function refineGitlab(g: GitlabConfig, ctx: z.RefinementCtx): GitlabConfig {
  if (g.rotateBeforeDays >= g.tokenLifetimeDays) {
    ctx.addIssue({ code: "custom", path: ["rotateBeforeDays"], message: `must be less than tokenLifetimeDays (${g.tokenLifetimeDays})` });
  }
  const paths = new Map<string, Role>();
  for (const role of ROLES) {
    const p = g.roles[role].path.toLowerCase();
    const other = paths.get(p);
    if (other) ctx.addIssue({ code: "custom", path: ["roles", role, "path"], message: `same project as roles.${other}.path` });
    paths.set(p, role);
  }
  for (const [file, template] of Object.entries(g.bootstrap.files)) {
    for (const name of templatePlaceholders(template)) {
      if (!(name in TEMPLATE_VARS)) {
        ctx.addIssue({
          code: "custom",
          path: ["bootstrap", "files", file],
          message: `unknown placeholder {{${name}}} (known: ${Object.keys(TEMPLATE_VARS).join(", ")})`,
        });
      }
    }
  }
  for (const required of REQUIRED_FILES) {
    if (!(required in g.bootstrap.files)) {
      ctx.addIssue({ code: "custom", path: ["bootstrap", "files"], message: `must contain ${required}` });
    }
  }
  if (!Object.keys(g.bootstrap.files).some((f) => f.startsWith("scripts/"))) {
    ctx.addIssue({ code: "custom", path: ["bootstrap", "files"], message: "must contain at least one file under scripts/" });
  }
  g.bootstrap.executable.forEach((f, i) => {
    if (!(f in g.bootstrap.files)) ctx.addIssue({ code: "custom", path: ["bootstrap", "executable", i], message: `${f} is not in bootstrap.files` });
  });
  g.bootstrap.readOrder.forEach((f, i) => {
    if (!(f in g.bootstrap.files)) ctx.addIssue({ code: "custom", path: ["bootstrap", "readOrder", i], message: `${f} is not in bootstrap.files` });
  });
  return g;
}
