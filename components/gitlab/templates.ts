/** Renders the bootstrap file templates of `labfleet:gitlab.bootstrap` for one role repository. */
import { httpsOrLoopback } from "./naming.ts";
import { ROLES, type Role } from "./roles.ts";
import { type GitlabConfig, renderTemplate, type TemplateVar } from "./settings.ts";

export interface RenderedFile {
  content: string;
  executable: boolean;
}

/** HTTPS clone URL of a role repository (labfleet uses HTTPS remotes only). */
export function repoUrl(g: GitlabConfig, role: Role): string {
  const base = g.url.replace(/\/+$/, "");
  if (!httpsOrLoopback(base)) throw new Error(`labfleet:gitlab.url must be https:// (got ${base})`);
  return `${base}/${g.group}/${g.roles[role].path}.git`;
}

export function templateVars(g: GitlabConfig, role: Role, stack: string): Record<TemplateVar, string> {
  const rows = ROLES.map((r) => `| ${r} | ${g.group}/${g.roles[r].path} | ${repoUrl(g, r)} |`);
  return {
    role,
    project: `${g.group}/${g.roles[role].path}`,
    repoUrl: repoUrl(g, role),
    host: new URL(g.url).host,
    group: g.group,
    stack,
    readOrder: g.bootstrap.readOrder.map((f, n) => `${n + 1}. \`${f}\``).join("\n"),
    boundaries: g.roles[role].boundaries.map((b) => `- ${b}`).join("\n"),
    roles: ["| role | project | remote |", "|------|---------|--------|", ...rows].join("\n"),
  };
}

export function renderBootstrap(g: GitlabConfig, role: Role, stack: string): Record<string, RenderedFile> {
  const vars = templateVars(g, role, stack);
  const exec = new Set(g.bootstrap.executable);
  return Object.fromEntries(
    Object.entries(g.bootstrap.files).map(([path, template]) => [path, { content: renderTemplate(template, vars), executable: exec.has(path) }]),
  );
}
