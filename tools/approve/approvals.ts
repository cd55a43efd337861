import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { StackConfigData } from "../../stacks/config/schema.ts";
import { PRODUCT_ROLE } from "../../components/gitlab/roles.ts";
import { roleProjectPath } from "../../components/gitlab/settings.ts";
import { type PlanResource, type PolicyConfigDoc, resourceValidationArgs } from "../plan/policy-engine.ts";
import { requiredChecks } from "../../stacks/github.ts";
import { Approval, APPROVAL_GATES } from "../../policies/lib/approval.ts";
import { fingerprintOf, parsePath } from "../../policies/lib/fingerprint.ts";
import { isSecretKeyName, SECRET_FIELDS_BY_TYPE } from "../../policies/lib/resource.ts";
import { revealProps } from "../../policies/lib/reveal.ts";
// Loading the pack registers every approval rule's gate in APPROVAL_GATES.
import "../../policies/pack.ts";

/**
 * The per-stack policy config `policies/approvals/<stack>.json`: the file both the offline plan
 * and `pulumi preview --policy-pack policies --policy-pack-config <file>` use. It holds the
 * tunables derived from the stack's config (labfleet:governance, ci, gitlab) and the approved
 * fingerprints. `npm run approve` writes it; CODEOWNERS guards it.
 */

export const APPROVAL_RULES = ["iam-change-approval", "secret-change-approval", "wif-change-approval", "github-change-approval"] as const;

export function defaultApprovalsPath(stack: string): string {
  return join("policies", "approvals", `${stack}.json`);
}

/** The approvals file of a stack: `labfleet:governance.approvalsFile`, else the default. */
export function approvalsPath(stack: string, cfg: Pick<StackConfigData, "governance">, root = "."): string {
  return join(root, cfg.governance.approvalsFile ?? defaultApprovalsPath(stack));
}

/** Rule tunables that follow from the stack's configuration. */
export function tunablesFor(cfg: StackConfigData): PolicyConfigDoc {
  const g = cfg.governance;
  const env = { environment: cfg.environment };
  // the lab's own repository (CI identity) and the product repository whose upstream lane uploads builds
  const repos = [
    ...(cfg.ci.enabled ? [`${cfg.ci.github.owner}/${cfg.ci.github.repo}`] : []),
    ...(cfg.artifacts.enabled ? [`${cfg.artifacts.upstream.owner}/${cfg.artifacts.upstream.repo}`] : []),
  ];
  const product = cfg.gitlab.enabled ? [roleProjectPath(cfg.gitlab, PRODUCT_ROLE)] : [];
  return {
    "rds-hardening": { minBackupDays: g.minBackupDays, ...env },
    "cloudsql-hardening": { minBackupDays: g.minBackupDays, ...env },
    "rds-multi-az": env,
    "alb-production-hardening": env,
    "cloudrun-no-public-invoker": env,
    "required-tags": { tags: g.requiredTags },
    "wireguard-key-age": { maxAgeDays: g.keyMaxAgeDays },
    "oidc-trust-scoped": { allowedRepositories: repos },
    "role-repo-boundary": { productRepositories: product },
    ...(cfg.github.enabled && cfg.github.branchProtection
      ? { "github-default-branch-protected": { branch: cfg.github.branchProtection.branch, requiredChecks: requiredChecks(cfg) } }
      : {}),
  };
}

export interface SecretCoverageProblem {
  urn: string;
  path: string;
}

/**
 * Secret paths the live pack would not recognize as secret (CrossGuard sees plaintext without
 * marks). Their values would enter fingerprints, so approving such a resource is refused.
 */
export function uncoveredSecretPaths(r: PlanResource): SecretCoverageProblem[] {
  const fields = SECRET_FIELDS_BY_TYPE[r.type] ?? [];
  return (r.secretPaths ?? [])
    .filter((p) => {
      const parts = parsePath(p);
      if (parts[0]?.startsWith("__")) return false;
      if (parts.length > 0 && fields.includes(parts[0] ?? "")) return false;
      return !parts.some(isSecretKeyName);
    })
    .map((path) => ({ urn: r.urn, path }));
}

/** Does any approval rule gate this resource? */
export function isGated(r: PlanResource): boolean {
  const props = seenByRules(r);
  return APPROVAL_RULES.some((rule) => APPROVAL_GATES.get(rule)?.(r.type, props));
}

/** The props exactly as a rule sees them (the engine's args builder, revealed): one fingerprint path. */
function seenByRules(r: PlanResource): Record<string, unknown> {
  return revealProps(resourceValidationArgs(r).props);
}

/** Resources each approval rule gates, with their fingerprints, sorted by URN. */
export function computeApprovals(resources: PlanResource[]): Record<(typeof APPROVAL_RULES)[number], Approval[]> {
  const out = Object.fromEntries(APPROVAL_RULES.map((n) => [n, [] as Approval[]])) as Record<(typeof APPROVAL_RULES)[number], Approval[]>;
  for (const r of resources) {
    const props = seenByRules(r);
    for (const rule of APPROVAL_RULES) {
      if (!APPROVAL_GATES.get(rule)?.(r.type, props)) continue;
      const derived = Object.entries(r.propertyDependencies ?? {})
        .filter(([k, urns]) => urns.length > 0 && props[k] !== undefined && !k.startsWith("__"))
        .map(([k]) => k)
        .sort();
      const fp = fingerprintOf({ urn: r.urn, type: r.type, inputs: props, derived });
      out[rule].push({
        urn: r.urn,
        type: r.type,
        fingerprint: fp.fingerprint,
        properties: fp.properties,
        ...(derived.length > 0 ? { derived } : {}),
      });
    }
  }
  for (const rule of APPROVAL_RULES) out[rule].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The whole file for a stack: tunables + approvals, stable text (sorted keys, 2-space JSON). */
export function renderPolicyConfig(cfg: StackConfigData, resources: PlanResource[]): string {
  const doc: PolicyConfigDoc = { ...tunablesFor(cfg) };
  for (const [rule, approvals] of Object.entries(computeApprovals(resources))) doc[rule] = { approvals };
  return `${JSON.stringify(sortKeys(doc), null, 2)}\n`;
}

const PolicyConfigFile = z.record(z.string(), z.union([z.string(), z.record(z.string(), z.unknown())]));

/** Reads a `--policy-pack-config` file; errors name the file. */
export function readPolicyConfig(path: string): PolicyConfigDoc {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read policy config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = text.trim() === "" ? {} : JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = PolicyConfigFile.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: must map policy names to an enforcement level or an object`);
  for (const rule of APPROVAL_RULES) {
    const v = parsed.data[rule];
    if (v && typeof v === "object" && "approvals" in v) {
      const list = z.array(Approval).safeParse(v.approvals);
      if (!list.success) {
        const i = list.error.issues[0];
        throw new Error(`${path}: ${rule}.approvals${i?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") ?? ""}: ${i?.message}`);
      }
    }
  }
  return parsed.data;
}
