import type { StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint, show } from "../lib/message.ts";
import { isLabfleetRuntime } from "../lib/resource.ts";
import { stackItems } from "../lib/stack.ts";
import { strings, walk } from "../lib/walk.ts";

/**
 * Role boundary for the GitLab role repositories: the infra role gets no access to the product
 * repository (no membership, token, deploy key or runner of an infra-role resource names it), and
 * every git remote / GitLab URL in the stack is HTTPS (no ssh://, git@, git:// or http://).
 * The product repository is `productRepositories` (written from labfleet:gitlab by the approvals
 * file) plus any project the program adopts with `existing: true`. With per-role namespaces, paths
 * are compared whole (`infra/agent` is not `arch/agent`); a bare project name matches by name.
 * A namespace dedicated to infra roles (a group whose `roles` are all infra roles) must not hold
 * the product repository: anything granted on that namespace would reach it.
 * Unknowns: the known strings are checked; an unknown project reference is another resource's
 * output (a project id), which is resolved through that resource's path when it is in the stack.
 */
const config = ruleConfig(
  "role-repo-boundary",
  z.object({
    productRepositories: z.array(z.string()).default([]).describe("paths (group/project or project) of the product repository"),
    infraRoles: z.array(z.string()).default(["infra"]).describe("role names that must not reach the product repository"),
  }),
);

const NON_HTTPS_REMOTE = /(?:\bssh:\/\/|\bgit:\/\/|\b[\w.-]+@[\w.-]+:[\w./-]+\.git\b|\bhttp:\/\/[^\s"']+\.git\b)/;
const URL_KEYS = /^(url|remote|remoteUrl|repoUrl|repositoryUrl|gitlabUrl|baseUrl|httpUrlToRepo|cloneUrl)$/i;
const ROLE_KEYS = ["role", "roleName", "agentRole"];
const PROJECT_KEYS = ["project", "projectPath", "pathWithNamespace", "path_with_namespace", "projectId", "repository", "repo"];

/** Plain HTTP to this host's loopback (a simulated lab's stand-ins) never crosses a network. */
function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** A project reference as a lower-case path: `https://host/a/b.git` → `a/b`. */
function projectRef(v: string): string {
  const s = v.toLowerCase().replace(/\.git$/, "");
  const url = /^https?:\/\/[^/]+\/(.+)$/.exec(s);
  return url ? url[1]! : s;
}

const lastSegment = (p: string) => p.split("/").pop() ?? p;

function relevant(type: string): boolean {
  return isLabfleetRuntime(type) || type.startsWith("gitlab:");
}

export const roleRepoBoundary: StackValidationPolicy = {
  name: "role-repo-boundary",
  description: "The infra role has no access to the product repository, and git remotes are HTTPS only.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: config.configSchema,
  remediationSteps: "Drop the infra role's grant on the product repository; use https:// remotes with tokens.",
  validateStack: (args, report) => {
    const cfg = config.read(args);
    const items = stackItems(args.resources).filter((i) => relevant(i.r.type));
    const product = new Set(cfg.productRepositories.map((p) => p.toLowerCase()));
    for (const i of items) {
      if (i.props.existing !== true) continue;
      const { namespace, path } = i.props;
      if (typeof namespace === "string" && typeof path === "string") product.add(`${namespace}/${path}`.toLowerCase());
      for (const k of ["pathWithNamespace", "path_with_namespace"]) {
        const v = i.props[k];
        if (typeof v === "string") product.add(v.toLowerCase());
      }
      if (typeof path === "string" && typeof namespace !== "string") product.add(path.toLowerCase());
    }
    const isProduct = (v: string) => {
      const s = projectRef(v);
      return [...product].some((p) => (s.includes("/") && p.includes("/") ? s === p : lastSegment(s) === lastSegment(p)));
    };
    for (const i of items) {
      const { fullPath, roles } = i.props;
      if (typeof fullPath !== "string" || !Array.isArray(roles) || roles.length === 0) continue;
      if (!roles.every((r) => cfg.infraRoles.includes(String(r)))) continue;
      const ns = fullPath.toLowerCase();
      for (const p of product) {
        if (p.startsWith(`${ns}/`)) {
          report(hint(`${describe(i.r)}: the product repository ${show(p)} lies in namespace ${show(fullPath)}, which belongs to the ${roles.join(", ")} role`, "give the product repository a namespace of its own (labfleet:gitlab.roles.arch.namespace)"), i.r.urn);
        }
      }
    }
    for (const i of items) {
      const name = describe(i.r);
      for (const s of strings(i.props)) {
        if (NON_HTTPS_REMOTE.test(s.value)) {
          report(hint(`${name} uses a non-HTTPS git remote at ${s.path}`, "use the https:// clone URL with a token"), i.r.urn);
        }
      }
      for (const v of walk(i.props)) {
        if (!v.value || typeof v.value !== "object" || Array.isArray(v.value)) continue;
        const o = v.value as Record<string, unknown>;
        for (const [k, x] of Object.entries(o)) {
          if (URL_KEYS.test(k) && typeof x === "string" && /^http:\/\//i.test(x) && !isLoopback(x)) {
            report(hint(`${name} ${v.path ? `${v.path}.` : ""}${k} is plain HTTP (${show(x)})`, "use https://"), i.r.urn);
          }
        }
        const role = ROLE_KEYS.map((k) => o[k]).find((x) => typeof x === "string") as string | undefined;
        if (!role || !cfg.infraRoles.includes(role) || product.size === 0) continue;
        for (const k of PROJECT_KEYS) {
          const x = o[k];
          const refs = Array.isArray(x) ? x : [x];
          for (const ref of refs) {
            if (typeof ref === "string" && isProduct(ref)) {
              report(hint(`${name} gives the ${role} role access to the product repository ${show(ref)}`, "grant the infra role only its own repository"), i.r.urn);
            }
          }
        }
      }
    }
  },
};
