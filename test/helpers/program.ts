import * as pulumi from "@pulumi/pulumi";
import { type PlanResource, type StackRun, runStack } from "../../tools/plan/run.ts";
import { SECRET_SIG } from "../../tools/plan/values.ts";

export type { PlanResource, StackRun } from "../../tools/plan/run.ts";

export interface ProgramOptions {
  stack?: string;
  configFile?: string;
  /** `labfleet:*` (or other namespaced) keys to add/override; objects are JSON-encoded. */
  config?: Record<string, unknown>;
  /** Secret keys and their plaintext values (set as secret config). */
  secrets?: Record<string, string>;
  /** Mirror `pulumi preview` (unknown outputs). Default false, so applies run and values are known. */
  preview?: boolean;
}

/** Runs the real program on the mock runtime for a stack file or a config file. */
export function runProgram(opts: ProgramOptions = {}): Promise<StackRun> {
  const secrets = opts.secrets ?? {};
  return runStack({
    stack: opts.stack ?? "local",
    configFile: opts.configFile,
    config: { ...opts.config, ...secrets },
    secretKeys: Object.keys(secrets),
    preview: opts.preview ?? false,
  });
}

export function ofType(resources: PlanResource[], type: string): PlanResource[] {
  return resources.filter((r) => r.type === type);
}

export function one(resources: PlanResource[], type: string, name?: string): PlanResource {
  const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  }
  return found[0]!;
}

/** True when the input at `path` (e.g. `environment.HA_TOKEN`) was registered as a secret. */
export function isSecretInput(r: PlanResource, path: string): boolean {
  return r.secretPaths.some((p) => p === path || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/** Unwraps an Output for assertions: value and secretness. */
export async function unwrapOutput<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
  const impl = o as unknown as { promise(): Promise<T> };
  return { value: await impl.promise(), secret: await pulumi.isSecret(o) };
}

/** Mock-runtime inputs as the engine hands them to dynamic providers: secrets unwrapped to plain values. */
export function engineInputs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(engineInputs);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return engineInputs(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, engineInputs(x)]));
  }
  return v;
}
