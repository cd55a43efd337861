import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { mocks } from "./mocks.ts";
import { type EngineConfig, readStackFile } from "./stack-file.ts";
import { type Unwrapped, unwrap } from "./values.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** One registered resource, as the plan, the policies and the tests see it. */
export interface PlanResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  /** Resolved inputs; secrets unwrapped (CrossGuard sees plaintext); unknowns are the sentinel. */
  inputs: Record<string, unknown>;
  /** Inputs safe to print: secrets → "[secret]", unknowns → "[unknown]". */
  redactedInputs: Record<string, unknown>;
  secretPaths: string[];
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  provider?: string;
}

export interface StackRun {
  project: string;
  stack: string;
  resources: PlanResource[];
  outputs: Unwrapped;
}

export interface RunOptions {
  stack: string;
  /** Config file in Pulumi.<stack>.yaml format; default `Pulumi.<stack>.yaml` at the repo root. */
  configFile?: string;
  /** Extra or overriding engine config (`labfleet:key` → value; objects are JSON-encoded). */
  config?: Record<string, unknown>;
  /** Keys of `config` that are secret. */
  secretKeys?: string[];
  /** Mirror `pulumi preview` (unprovided outputs are unknown). Default true. */
  preview?: boolean;
}

export function projectName(): string {
  const doc = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string };
  return doc.name;
}

function engineConfig(opts: RunOptions, project: string): EngineConfig {
  const file = opts.configFile ?? join(ROOT, `Pulumi.${opts.stack}.yaml`);
  if (opts.configFile === undefined && !existsSync(file)) {
    throw new Error(`no stack file Pulumi.${opts.stack}.yaml (use --config-file)`);
  }
  const base = readStackFile(file, project);
  const config = { ...base.config };
  const secretKeys = new Set(base.secretKeys);
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    config[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const k of opts.secretKeys ?? []) secretKeys.add(k);
  return { config, secretKeys: [...secretKeys] };
}

/**
 * The engine leaves the root stack out of its children's type chain
 * (`…::labfleet:hut:HutSlot::hut-01`); the mock monitor puts it in (`…::pulumi:pulumi:Stack$…`).
 * The plan reports the engine's URNs (test/engine compares them with a real preview).
 */
export function engineUrn(urn: string): string {
  return urn.replace(/::pulumi:pulumi:Stack\$/, "::");
}

interface Captured extends Omit<PlanResource, "inputs" | "redactedInputs" | "secretPaths" | "urn"> {
  urn?: string;
  raw: unknown;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getProvider(): string;
}

type Callback = (err: Error | null, resp?: { getUrn(): string }) => void;

async function settle(pending: () => number): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < 6000 && quiet < 3; i++) {
    await new Promise((r) => setTimeout(r, 2));
    quiet = pending() === 0 ? quiet + 1 : 0;
  }
  if (pending() !== 0) throw new Error("resource registrations did not settle within 12s");
}

/** Resolves the program's returned outputs (Outputs, promises, nested) to engine-shaped values. */
async function resolveOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const o = value as unknown as { promise(withUnknowns?: boolean): Promise<unknown>; isSecret: Promise<boolean>; isKnown: Promise<boolean> };
    const [known, secret] = await Promise.all([o.isKnown, o.isSecret]);
    const inner = known ? await resolveOutputs(await o.promise(true)) : pulumi.runtime.unknownValue;
    return secret ? { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: inner } : inner;
  }
  if (value instanceof Promise) return resolveOutputs(await value);
  if (pulumi.Resource.isInstance(value)) return { urn: "[resource]" };
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveOutputs(v);
    return out;
  }
  return value;
}

let running = false;

/**
 * Runs the real program (`stacks/index.ts`) on Pulumi's mock runtime and returns every
 * registered resource with its resolved inputs, parent, dependencies and options.
 */
export async function runStack(opts: RunOptions): Promise<StackRun> {
  if (running) throw new Error("runStack is not re-entrant: one program run at a time per process");
  running = true;
  const project = projectName();
  const captured: Captured[] = [];
  let pending = 0;
  const asyncErrors: unknown[] = [];
  const onRejection = (err: unknown) => asyncErrors.push(err);
  process.on("unhandledRejection", onRejection);
  try {
    const cfg = engineConfig(opts, project);
    await pulumi.runtime.setMocks(mocks, project, opts.stack, opts.preview ?? true);
    pulumi.runtime.setAllConfig(cfg.config, cfg.secretKeys);
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: RegisterRequest, cb: Callback): void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      pending++;
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
      });
      const entry: Captured = {
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        raw: pulumi.runtime.deserializeProperties(req.getObject() as never, true),
        protect: req.getProtect() === true,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        ignoreChanges: req.getIgnorechangesList(),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        provider: req.getProvider() || undefined,
      };
      captured.push(entry);
      register(req, (err, resp) => {
        if (!err && resp) entry.urn = resp.getUrn();
        pending--;
        cb(err, resp);
      });
    };

    const entry = (await import("../../stacks/index.ts")) as { default: () => Promise<Record<string, unknown>> };
    let returned: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
      returned = await entry.default();
      return returned;
    });
    await settle(() => pending);
    if (asyncErrors.length > 0) throw asyncErrors[0];
    const outputs = unwrap(await resolveOutputs(returned));
    const urns = new Set<string>();
    const resources: PlanResource[] = captured.map(({ raw, urn: mockUrn, ...mock }) => {
      if (!mockUrn) throw new Error(`resource ${mock.type} ${mock.name} was not registered`);
      const urn = engineUrn(mockUrn);
      const rest = {
        ...mock,
        parent: mock.parent === undefined ? undefined : engineUrn(mock.parent),
        dependencies: mock.dependencies.map(engineUrn),
        propertyDependencies: Object.fromEntries(Object.entries(mock.propertyDependencies).map(([k, v]) => [k, v.map(engineUrn)])),
      };
      if (urns.has(urn)) throw new Error(`duplicate resource URN ${urn}: two resources share a type and name`);
      urns.add(urn);
      const u = unwrap(raw);
      return { urn, ...rest, inputs: u.plain as Record<string, unknown>, redactedInputs: u.redacted as Record<string, unknown>, secretPaths: u.secretPaths };
    });
    return { project, stack: opts.stack, resources, outputs };
  } catch (err) {
    // A failing program also rejects the stack resource's own promises; let those land on our
    // listener instead of surfacing as unhandled rejections after we return.
    await new Promise((r) => setTimeout(r, 20));
    throw err;
  } finally {
    process.off("unhandledRejection", onRejection);
    running = false;
  }
}
