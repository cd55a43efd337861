import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseStackConfig } from "../../stacks/config/index.ts";
import type { StackConfigData } from "../../stacks/config/schema.ts";
import { projectName, ROOT, runStack } from "../plan/run.ts";
import { readStackFile } from "../plan/stack-file.ts";
import {
  APPROVAL_RULES,
  approvalsPath,
  isGated,
  readPolicyConfig,
  renderPolicyConfig,
  uncoveredSecretPaths,
} from "./approvals.ts";
import type { PlanResource, PolicyConfigDoc } from "../plan/policy-engine.ts";

/**
 * `npm run approve -- --stack <s>`: runs the stack's program offline (the plan's runner), and
 * writes `policies/approvals/<stack>.json` — the stack's policy config with the fingerprints of
 * every IAM / secret / identity-federation resource. `--check` only compares.
 */

export type RunStack = (opts: { stack: string; configFile?: string }) => Promise<{ resources: PlanResource[] }>;

export interface ApproveOptions {
  stack: string;
  configFile?: string;
  check?: boolean;
  root?: string;
  /** the program runner; default: the plan's runStack (mock runtime, preview mode like the plan) */
  run?: RunStack;
}

export interface ApproveResult {
  /** 0 written or up to date, 1 --check found differences */
  code: 0 | 1;
  file: string;
  changes: string[];
  text: string;
}

export class ApproveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApproveError";
  }
}

export function loadConfig(stack: string, configFile: string | undefined, root: string): StackConfigData {
  const file = configFile ?? resolve(root, `Pulumi.${stack}.yaml`);
  const project = projectName();
  const engine = readStackFile(file, project);
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [k, v] of Object.entries(engine.config)) {
    if (!k.startsWith(`${project}:`)) continue;
    const key = k.slice(project.length + 1);
    values[key] = v;
    if (engine.secretKeys.includes(k)) secretKeys.add(key);
  }
  return parseStackConfig({ values, secretKeys }, stack);
}

type Approvals = Record<string, { urn: string; fingerprint: string; properties?: Record<string, string> }[]>;

function approvalsOf(doc: PolicyConfigDoc): Approvals {
  const out: Approvals = {};
  for (const rule of APPROVAL_RULES) {
    const v = doc[rule];
    out[rule] = v && typeof v === "object" && Array.isArray((v as { approvals?: unknown }).approvals) ? (v as { approvals: Approvals[string] }).approvals : [];
  }
  return out;
}

/** Human-readable differences between the recorded and the computed file. */
export function describeChanges(before: PolicyConfigDoc, after: PolicyConfigDoc): string[] {
  const lines: string[] = [];
  const a = approvalsOf(before);
  const b = approvalsOf(after);
  for (const rule of APPROVAL_RULES) {
    const old = new Map((a[rule] ?? []).map((x) => [x.urn, x]));
    const now = new Map((b[rule] ?? []).map((x) => [x.urn, x]));
    for (const [urn, x] of now) {
      const prev = old.get(urn);
      if (!prev) lines.push(`${rule}: + ${urn}`);
      else if (prev.fingerprint !== x.fingerprint) {
        const keys = new Set([...Object.keys(prev.properties ?? {}), ...Object.keys(x.properties ?? {})]);
        const changed = [...keys].filter((k) => prev.properties?.[k] !== x.properties?.[k]).sort();
        lines.push(`${rule}: ~ ${urn}${changed.length ? ` (${changed.join(", ")})` : ""}`);
      }
    }
    for (const urn of old.keys()) if (!now.has(urn)) lines.push(`${rule}: - ${urn}`);
  }
  const tun = (d: PolicyConfigDoc) =>
    JSON.stringify(Object.fromEntries(Object.entries(d).filter(([k]) => !(APPROVAL_RULES as readonly string[]).includes(k)).sort()));
  if (tun(before) !== tun(after)) lines.push("policy tunables changed (labfleet:governance / ci / gitlab)");
  return lines;
}

export async function approve(opts: ApproveOptions): Promise<ApproveResult> {
  const root = resolve(opts.root ?? ROOT);
  const cfg = loadConfig(opts.stack, opts.configFile, root);
  const run: RunStack = opts.run ?? runStack;
  const { resources } = await run({ stack: opts.stack, ...(opts.configFile ? { configFile: opts.configFile } : {}) });
  const uncovered = resources.filter(isGated).flatMap(uncoveredSecretPaths);
  if (uncovered.length > 0) {
    throw new ApproveError(
      `refusing to fingerprint: these secret inputs are not recognizable as secret by the live pack, so their values would enter a fingerprint:\n${uncovered
        .map((u) => `  ${u.urn} ${u.path}`)
        .join("\n")}\nadd the field to SECRET_FIELDS_BY_TYPE in policies/lib/resource.ts`,
    );
  }
  const file = approvalsPath(opts.stack, cfg, root);
  const text = renderPolicyConfig(cfg, resources);
  const before = existsSync(file) ? readPolicyConfig(file) : {};
  const changes = describeChanges(before, JSON.parse(text) as PolicyConfigDoc);
  const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (opts.check) return { code: current === text ? 0 : 1, file, changes, text };
  if (current !== text) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { code: 0, file, changes, text };
}
