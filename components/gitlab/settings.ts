import { z } from "zod";
import { ROLE_TIMEOUTS, RunnerJobSeconds } from "../../hardware/schema/ws2.ts";
import { DEFAULT_READ_ORDER, DEFAULT_TEMPLATES, REQUIRED_FILES, SCRIPTS, TEMPLATE_VARS, templatePlaceholders } from "./contract-templates.ts";
import { BOARD_FILE, HANDOFF_LOG, ROLE_DEFINITIONS } from "./role-contract.ts";
import { ROLES, type Role, TOKEN_SCOPES } from "./roles.ts";

/**
 * Settings of the GitLab area (`labfleet:gitlab`, registered by stacks/config/sections/gitlab.ts):
 * one repository per agent role, role access tokens, bootstrap governance files and one CI runner
 * per HUT slot label (on the `runner` repository).
 */

const GroupPath = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*(\/[a-zA-Z0-9][a-zA-Z0-9_.-]*)*$/, "must be a group full path like lab-agents or lab/agents");

const filePath = z
  .string()
  .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/, "must be a relative path without . or .. segments");

function roleRepo(role: Role) {
  return z.strictObject({
    path: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a GitLab project path").describe("project path inside the role's namespace"),
    namespace: GroupPath.optional().describe(
      "namespace (group full path) of this role's repository, e.g. infra for infra/infra-agent; default labfleet:gitlab.group. Changing it on a deployed stack replaces the repository (a new project, the old one deleted)",
    ),
    existing: z.boolean().default(false).describe("adopt an existing project and never delete it (the product repo)"),
    tokenScopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1)
      .default(["read_repository", "write_repository"])
      .describe("scopes of the role's project access token (keep them minimal)"),
    accessLevel: z.enum(["guest", "reporter", "developer", "maintainer"]).default("developer").describe("role of the token's bot user on the project"),
    boundaries: z.array(z.string().min(1)).min(1).default(ROLE_DEFINITIONS[role].boundaries).describe("role boundaries listed in AGENTS.md (default: the role definition in code)"),
  });
}

export const Bootstrap = z.strictObject({
  files: z
    .record(filePath, z.string())
    .default(DEFAULT_TEMPLATES)
    .describe(`bootstrap file templates by path; placeholders: ${Object.keys(TEMPLATE_VARS).map((k) => `{{${k}}}`).join(", ")}`),
  executable: z.array(filePath).default([...SCRIPTS, "scripts/startup.sh"]).describe("files committed with the executable bit"),
  seedOnly: z
    .array(filePath)
    .default([BOARD_FILE, HANDOFF_LOG])
    .describe("files the agents own after the first commit: created, re-created when deleted, never overwritten by a template change"),
  readOrder: z.array(filePath).min(1).default(DEFAULT_READ_ORDER).describe("startup read order rendered into {{readOrder}}"),
  commitMessage: z.string().min(1).default("labfleet: bootstrap role repository").describe("message of the single bootstrap commit"),
  updateMessage: z.string().min(1).default("labfleet: update bootstrap files from templates").describe("message of a template-update commit"),
});

export const Namespaces = z.strictObject({
  create: z
    .boolean()
    .default(true)
    .describe("create missing role namespaces (and missing parent groups) as private groups; false: they must exist"),
});

export const Protection = z.strictObject({
  push: z.enum(["maintainers", "no_one"]).default("maintainers").describe("who may push to main; no_one sends template updates through a merge request"),
  merge: z.literal("maintainers").default("maintainers").describe("who may merge into main"),
});

export const Runners = z.strictObject({
  maximumTimeoutSeconds: RunnerJobSeconds.default(ROLE_TIMEOUTS.runner.maxSec)
    .describe("maximum job timeout of each slot runner (runner role limit)"),
  accessLevel: z.enum(["not_protected", "ref_protected"]).default("not_protected").describe("which refs the runner picks jobs for"),
  descriptionPrefix: z.string().regex(/^[a-z][a-z0-9-]*$/).default("labfleet").describe("runner description prefix; the description identifies the runner"),
});

export const GitlabBody = z.strictObject({
  url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).describe("GitLab base URL (HTTPS only)"),
  group: GroupPath.describe("default namespace of the role repositories (roles.<role>.namespace overrides it per role)"),
  roles: z.strictObject({ arch: roleRepo("arch"), infra: roleRepo("infra"), runner: roleRepo("runner") }),
  namespaces: Namespaces.prefault({}).describe("the role namespaces (GitLab groups)"),
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

/** The namespace of a role's repository. */
export const roleNamespace = (g: GitlabConfig, role: Role) => g.roles[role].namespace ?? g.group;
/** A role repository's full path, `<namespace>/<path>`. */
export const roleProjectPath = (g: GitlabConfig, role: Role) => `${roleNamespace(g, role)}/${g.roles[role].path}`;

/** Cross-key rules (zod v4 objects with refinements cannot be extended, so they run here). */
export function refineGitlab(g: GitlabConfig, ctx: z.RefinementCtx): GitlabConfig {
  if (g.rotateBeforeDays >= g.tokenLifetimeDays) {
    ctx.addIssue({ code: "custom", path: ["rotateBeforeDays"], message: `must be less than tokenLifetimeDays (${g.tokenLifetimeDays})` });
  }
  const paths = new Map<string, Role>();
  for (const role of ROLES) {
    const p = roleProjectPath(g, role).toLowerCase();
    const other = paths.get(p);
    if (other) ctx.addIssue({ code: "custom", path: ["roles", role, "path"], message: `same project (${p}) as roles.${other}` });
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
  g.bootstrap.executable.forEach((f, i) => {
    if (!(f in g.bootstrap.files)) ctx.addIssue({ code: "custom", path: ["bootstrap", "executable", i], message: `${f} is not in bootstrap.files` });
  });
  g.bootstrap.seedOnly.forEach((f, i) => {
    if (!(f in g.bootstrap.files)) ctx.addIssue({ code: "custom", path: ["bootstrap", "seedOnly", i], message: `${f} is not in bootstrap.files` });
  });
  g.bootstrap.readOrder.forEach((f, i) => {
    if (!(f in g.bootstrap.files)) ctx.addIssue({ code: "custom", path: ["bootstrap", "readOrder", i], message: `${f} is not in bootstrap.files` });
  });
  return g;
}
