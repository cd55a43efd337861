import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  type EnforcementLevel,
  type Policies,
  type Policy,
  type PolicyProviderResource,
  type PolicyResource,
  type PolicyResourceOptions,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
  UnknownValueError,
  unknownCheckingProxy,
} from "@pulumi/policy";
import { z } from "zod";
import type { PlanResource as RunResource } from "./run.ts";

/**
 * Offline CrossGuard: evaluates a policy pack on a resource list the way `@pulumi/policy` 1.21's
 * analyzer server (server.js) does under `pulumi preview --policy-pack`, and reconciles policy
 * config the way the Pulumi CLI does for `--policy-pack-config` (schema defaults, "all", per-policy
 * enforcement level, JSON-Schema validation). The offline plan and the tests both use it.
 */

/**
 * One resource as the offline plan records it (tools/plan/run.ts, the one home of the shape);
 * the engine needs only this subset, so fixtures may omit the plan-only fields. Inputs are plain:
 * secrets unwrapped (CrossGuard sees plaintext), unknowns as the engine's sentinel.
 */
export type PlanResource = Omit<RunResource, "redactedInputs" | "secretPaths" | "propertyDependencies" | "additionalSecretOutputs"> &
  Partial<Pick<RunResource, "secretPaths" | "propertyDependencies" | "additionalSecretOutputs">> & {
    aliases?: string[];
    deleteBeforeReplace?: boolean;
    customTimeouts?: { createSeconds?: number; updateSeconds?: number; deleteSeconds?: number };
  };

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
  message: string;
  severity?: string;
}

/** `--policy-pack-config` document: `{ "<policy>" | "all": level | { enforcementLevel?, ...props } }`. */
export type PolicyConfigDoc = Record<string, unknown>;

export interface PackDefinition {
  name: string;
  version: string;
  enforcementLevel: EnforcementLevel;
  policies: Policies;
}

export interface EvaluateInput {
  resources: PlanResource[];
  stackTags?: Record<string, string>;
  policyConfig?: PolicyConfigDoc;
}

export class PolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`policy pack configuration is invalid:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "PolicyConfigError";
  }
}

// ---------------------------------------------------------------------------------------------
// Unknown values. The engine sends preview-time unknowns as these sentinel strings; the policy
// SDK's proxy throws on reading them. Fixtures use `unknown.string` etc. to mark an input unknown.

const proxyInternals = createRequire(import.meta.url)("@pulumi/policy/proxy") as Record<string, string>;

export const unknown = {
  string: proxyInternals.unknownStringValue as string,
  number: proxyInternals.unknownNumberValue as string,
  boolean: proxyInternals.unknownBooleanValue as string,
  array: proxyInternals.unknownArrayValue as string,
  object: proxyInternals.unknownObjectValue as string,
} as const;

// ---------------------------------------------------------------------------------------------
// Policy config, as the CLI reconciles it (pkg/resource/analyzer/config.go).

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
const isLevel = (v: unknown): v is EnforcementLevel => typeof v === "string" && (LEVELS as readonly string[]).includes(v);

interface ReconciledPolicyConfig {
  enforcementLevel?: EnforcementLevel;
  properties: Record<string, unknown>;
}

export function reconcilePolicyConfig(policies: Policies, doc: PolicyConfigDoc = {}): Map<string, ReconciledPolicyConfig> {
  const problems: string[] = [];
  const given = new Map<string, ReconciledPolicyConfig>();
  for (const [key, raw] of Object.entries(doc)) {
    if (typeof raw === "string") {
      if (!isLevel(raw)) problems.push(`${key}: ${JSON.stringify(raw)} is not a valid enforcement level`);
      else given.set(key, { enforcementLevel: raw, properties: {} });
    } else if (raw && typeof raw === "object" && !Array.isArray(raw)) {
      const { enforcementLevel, ...properties } = raw as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        problems.push(`${key}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
        continue;
      }
      given.set(key, { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties });
    } else {
      problems.push(`${key}: must be an enforcement level or an object`);
    }
  }
  const result = new Map<string, ReconciledPolicyConfig>();
  for (const p of policies) {
    const properties: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
      if (s && typeof s === "object" && "default" in s) properties[k] = structuredClone(s.default);
    }
    result.set(p.name, { enforcementLevel: p.enforcementLevel, properties });
  }
  const all = given.get("all");
  if (all?.enforcementLevel) for (const v of result.values()) v.enforcementLevel = all.enforcementLevel;
  for (const [name, g] of given) {
    const r = result.get(name) ?? { properties: {} };
    if (g.enforcementLevel) r.enforcementLevel = g.enforcementLevel;
    Object.assign(r.properties, g.properties);
    result.set(name, r);
  }
  for (const p of policies) {
    if (!p.configSchema) continue;
    const schema = z.fromJSONSchema({
      type: "object",
      properties: p.configSchema.properties,
      ...(p.configSchema.required?.length ? { required: p.configSchema.required } : {}),
    } as Parameters<typeof z.fromJSONSchema>[0]);
    const parsed = schema.safeParse(result.get(p.name)?.properties ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push(`${p.name}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
      }
    }
  }
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Argument builders (server.js: makeAnalyzeRpcFun / makeAnalyzeStackRpcFun).

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

function freezeMap(map: Map<string, string>): ReadonlyMap<string, string> {
  return Object.freeze({
    entries: map.entries.bind(map),
    forEach: map.forEach.bind(map),
    get: map.get.bind(map),
    has: map.has.bind(map),
    keys: map.keys.bind(map),
    size: map.size,
    values: map.values.bind(map),
    [Symbol.iterator]: map[Symbol.iterator].bind(map),
  }) as unknown as ReadonlyMap<string, string>;
}

function pulumiTypeOf(obj: unknown): string | undefined {
  const t = (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t.length > 0 ? t : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const t = pulumiTypeOf(resourceClass);
  if (t) return type === t;
  const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** deserializeProperties: top-level `undefined` values do not exist; values are copied. */
export function deserialize(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) if (v !== undefined) out[k] = copy(v);
  return out;
}

function copy(v: unknown): unknown {
  // The SDK's own `Unknown` (mock runtime) goes over the wire as the engine's unknown sentinel.
  if (v && typeof v === "object" && (v as { __pulumiUnknown?: unknown }).__pulumiUnknown === true) return unknown.string;
  if (Array.isArray(v)) return v.map(copy);
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === undefined ? [] : [[k, copy(x)]])));
  }
  return v;
}

function resourceOptions(r: PlanResource): PolicyResourceOptions {
  const opts: PolicyResourceOptions = {
    protect: r.protect,
    ignoreChanges: [...r.ignoreChanges],
    aliases: [...(r.aliases ?? [])],
    customTimeouts: {
      createSeconds: r.customTimeouts?.createSeconds ?? 0,
      updateSeconds: r.customTimeouts?.updateSeconds ?? 0,
      deleteSeconds: r.customTimeouts?.deleteSeconds ?? 0,
    },
    additionalSecretOutputs: [...(r.additionalSecretOutputs ?? [])],
  };
  if (r.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = r.deleteBeforeReplace;
  if (r.parent) opts.parent = r.parent;
  return opts;
}

function providerResource(r: PlanResource, byUrn: Map<string, PlanResource>): PolicyProviderResource | undefined {
  if (!r.provider) return undefined;
  const cut = r.provider.lastIndexOf("::");
  const urn = cut > 0 ? r.provider.slice(0, cut) : r.provider;
  const p = byUrn.get(urn);
  if (!p) return undefined;
  return { type: p.type, props: unknownCheckingProxy(deserialize(p.inputs)), urn: p.urn, name: p.name };
}

type GetConfig = <T extends object>() => T;

export interface ArgsContext {
  resources?: PlanResource[];
  /** `resources` by URN; pass it when building args for many resources (built once, not per call). */
  byUrn?: Map<string, PlanResource>;
  stackTags?: Record<string, string>;
  config?: Record<string, unknown>;
}

function configGetter(config: Record<string, unknown> | undefined): GetConfig {
  return <T extends object>() => ({ ...(config ?? {}) }) as T;
}

/** Real `ResourceValidationArgs` for one resource (props behind the unknown-checking proxy). */
export function resourceValidationArgs(r: PlanResource, ctx: ArgsContext = {}): ResourceValidationArgs {
  const props = unknownCheckingProxy(deserialize(r.inputs));
  const byUrn = ctx.byUrn ?? new Map((ctx.resources ?? []).map((x) => [x.urn, x]));
  const args: ResourceValidationArgs = {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: resourceOptions(r),
    stackTags: freezeMap(new Map(Object.entries(ctx.stackTags ?? {}))),
    isType: (resourceClass) => isTypeOf(r.type, resourceClass),
    asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
    getConfig: configGetter(ctx.config),
    notApplicable: throwNotApplicable,
  };
  const provider = providerResource(r, byUrn);
  if (provider) args.provider = provider;
  return args;
}

/** Real `StackValidationArgs`: parent, dependencies and propertyDependencies resolved to resources. */
export function stackValidationArgs(resources: PlanResource[], ctx: Omit<ArgsContext, "resources"> = {}): StackValidationArgs {
  const byUrn = new Map(resources.map((x) => [x.urn, x]));
  const built = resources.map((r) => {
    const props = unknownCheckingProxy(deserialize(r.inputs));
    const resource: PolicyResource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: resourceOptions(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (resourceClass) => isTypeOf(r.type, resourceClass),
      asType: ((resourceClass: unknown) => (isTypeOf(r.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
    };
    const provider = providerResource(r, byUrn);
    if (provider) resource.provider = provider;
    return { resource, plan: r };
  });
  const objects = new Map(built.map((b) => [b.resource.urn, b.resource]));
  for (const { resource, plan } of built) {
    if (plan.parent) {
      const parent = objects.get(plan.parent);
      if (parent) resource.parent = parent;
    }
    resource.dependencies = plan.dependencies.map((d) => objects.get(d)).filter((d): d is PolicyResource => d !== undefined);
    for (const [k, urns] of Object.entries(plan.propertyDependencies ?? {})) {
      resource.propertyDependencies[k] = urns.map((d) => objects.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
  }
  return {
    resources: built.map((b) => b.resource),
    getConfig: configGetter(ctx.config),
    stackTags: freezeMap(new Map(Object.entries(ctx.stackTags ?? {}))),
    notApplicable: throwNotApplicable,
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
  const v = (p as ResourceValidationPolicy).validateResource;
  if (typeof v === "function") return true;
  if (Array.isArray(v)) return v.every((f) => typeof f === "function");
  return typeof (p as ResourceValidationPolicy).remediateResource === "function";
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

function reporter(
  p: Policy,
  level: EnforcementLevel,
  out: Violation[],
  defaultUrn: string | undefined,
  stackUrns?: Set<string>,
) {
  const push = (policy: string, lvl: EnforcementLevel, text: string, urn: string | undefined, severity?: string) => {
    const target = urn && (!stackUrns || stackUrns.has(urn)) ? urn : defaultUrn;
    const v: Violation = { policy, enforcementLevel: lvl, message: text };
    if (target) v.urn = target;
    if (severity) v.severity = severity;
    out.push(v);
  };
  // server.js makeReportViolationFun: a string is appended to the description; an object
  // (PolicyInfo) may override name, message, urn, enforcement level and severity.
  return ((message: unknown, urn?: string) => {
    if (message && typeof message === "object") {
      const info = message as Partial<Violation & { name: string; description: string }>;
      push(
        info.name || p.name,
        info.enforcementLevel || level,
        info.message || info.description || p.description,
        info.urn,
        info.severity || p.severity,
      );
      return;
    }
    push(p.name, level, message ? `${p.description}\n${message}` : p.description, urn, p.severity);
  }) as (message: string, urn?: string) => void;
}

function levelOf(p: Policy, pack: PackDefinition, config: Map<string, ReconciledPolicyConfig>): EnforcementLevel {
  return config.get(p.name)?.enforcementLevel || p.enforcementLevel || pack.enforcementLevel;
}

function unknownNote(p: Policy, pack: PackDefinition, err: UnknownValueError): string {
  return `can't run policy '${p.name}' from policy pack '${pack.name}@v${pack.version}' during preview: ${err.message}`;
}

function rethrow(p: Policy, pack: PackDefinition, err: unknown, what: string): never {
  const e = new Error(
    `Error validating ${what} with policy '${p.name}' from policy pack '${pack.name}@v${pack.version}': ${(err as Error)?.message ?? String(err)}`,
  );
  (e as Error & { cause?: unknown }).cause = err;
  throw e;
}

/** Evaluates a pack on every resource (Analyze) and on the stack (AnalyzeStack). */
export async function evaluate(pack: PackDefinition, input: EvaluateInput): Promise<Violation[]> {
  const config = reconcilePolicyConfig(pack.policies, input.policyConfig);
  const out: Violation[] = [];
  const stackTags = input.stackTags ?? {};
  const propsOf = (p: Policy) => config.get(p.name)?.properties;
  const byUrn = new Map(input.resources.map((r) => [r.urn, r]));

  for (const r of input.resources) {
    for (const p of pack.policies) {
      let level = levelOf(p, pack, config);
      if (level === "disabled" || !isResourcePolicy(p) || !p.validateResource) continue;
      if (level === "remediate") level = "mandatory";
      if (!Array.isArray(p.validateResource)) {
        const t = pulumiTypeOf(p.validateResource);
        if (t && r.type !== t) continue;
      }
      const report = reporter(p, level, out, r.urn);
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const validation of validations) {
        const args = resourceValidationArgs(r, { byUrn, stackTags, config: propsOf(p) });
        try {
          await validation(args, report);
        } catch (err) {
          if (err instanceof UnknownValueError) {
            out.push({ policy: p.name, enforcementLevel: "advisory", urn: r.urn, message: unknownNote(p, pack, err) });
          } else if (!(err instanceof NotApplicableError)) {
            rethrow(p, pack, err, `resource ${r.urn}`);
          }
        }
      }
    }
  }

  const urns = new Set(input.resources.map((r) => r.urn));
  for (const p of pack.policies) {
    let level = levelOf(p, pack, config);
    if (level === "disabled" || !isStackPolicy(p)) continue;
    if (level === "remediate") level = "mandatory";
    const t = pulumiTypeOf(p.validateStack);
    if (t && !input.resources.some((r) => r.type === t)) continue;
    const report = reporter(p, level, out, undefined, urns);
    try {
      await p.validateStack(stackValidationArgs(input.resources, { stackTags, config: propsOf(p) }), report);
    } catch (err) {
      if (err instanceof UnknownValueError) {
        out.push({ policy: p.name, enforcementLevel: "advisory", message: unknownNote(p, pack, err) });
      } else if (!(err instanceof NotApplicableError)) {
        rethrow(p, pack, err, "stack");
      }
    }
  }
  return out;
}

/** The version PolicyPack reads from the pack's package.json. */
export function packVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../policies/package.json", import.meta.url), "utf8")) as { version?: string };
  if (!pkg.version) throw new Error("Version must be defined in the package.json file.");
  return pkg.version;
}

/** The labfleet pack as the CLI would load it. */
export async function labfleetPack(): Promise<PackDefinition> {
  const { packEnforcementLevel, packName, policies } = await import("../../policies/pack.ts");
  return { name: packName, version: packVersion(), enforcementLevel: packEnforcementLevel, policies };
}

/** Evaluates the labfleet pack (the plan's entry point). */
export async function evaluatePack(input: EvaluateInput): Promise<Violation[]> {
  return evaluate(await labfleetPack(), input);
}
