import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigProblem, problemsFromIssues } from "./errors.ts";
import { ENVIRONMENTS, StackConfigSchema, type StackConfigData } from "./schema.ts";
import { SECRET_KEYS, SECRET_KEY_NAMES, type SecretKey } from "./secrets.ts";

export { ConfigError } from "./errors.ts";
export type { StackConfigData } from "./schema.ts";

export const NAMESPACE = "labfleet";

/** The parsed stack configuration: plain typed data plus secret Outputs. */
export interface StackConfig extends StackConfigData {
  stack: string;
  project: string;
  secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

export interface RawConfig {
  /** `labfleet:*` keys without the namespace, values as Pulumi stores them (objects as JSON text). */
  values: Record<string, string>;
  /** Keys (without namespace) whose value is a secret. */
  secretKeys: Set<string>;
}

function decode(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/** Validates raw config into typed data. Throws ConfigError listing every offending key. */
export function parseStackConfig(raw: RawConfig, stack: string): StackConfigData {
  const problems: ConfigProblem[] = [];
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw.values)) {
    if ((SECRET_KEY_NAMES as string[]).includes(key)) continue;
    if (raw.secretKeys.has(key)) {
      problems.push({
        key: `${NAMESPACE}:${key}`,
        message: `holds a secure value; secrets go in their own keys (${SECRET_KEY_NAMES.map((k) => `${NAMESPACE}:${k}`).join(", ")})`,
      });
      continue;
    }
    input[key] = decode(value);
  }
  if (input.environment === undefined && (ENVIRONMENTS as readonly string[]).includes(stack)) {
    input.environment = stack;
  }
  const parsed = StackConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, ...rest] = issue.path;
      problems.push(...problemsFromIssues(`${NAMESPACE}:${String(head ?? "")}`, [{ ...issue, path: rest }]));
    }
    throw new ConfigError(fixRootKeys(problems));
  }
  for (const name of SECRET_KEY_NAMES) {
    const why = SECRET_KEYS[name].required(parsed.data);
    if (why && !(name in raw.values)) {
      problems.push({
        key: `${NAMESPACE}:${name}`,
        message: `required because ${why} (pulumi config set --secret ${NAMESPACE}:${name} …)`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** Unknown top-level keys arrive as `labfleet:` + `.key`; render them as `labfleet:key`. */
function fixRootKeys(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.map((p) => ({ ...p, key: p.key.replace(/^labfleet:\./, "labfleet:") }));
}

/** Reads `labfleet:*` from the running Pulumi program (engine or mock runtime). */
export function readRawConfig(): RawConfig {
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const prefix = `${NAMESPACE}:`;
  const rt = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
    if (!k.startsWith(prefix)) continue;
    const key = k.slice(prefix.length);
    values[key] = v;
    if (rt.isConfigSecret?.(k)) secretKeys.add(key);
  }
  return { values, secretKeys };
}

/** Loads and validates the stack config. Call before registering any resource. */
export function loadStackConfig(): StackConfig {
  const stack = pulumi.getStack();
  const data = parseStackConfig(readRawConfig(), stack);
  const cfg = new pulumi.Config(NAMESPACE);
  const secrets: StackConfig["secrets"] = {};
  for (const name of SECRET_KEY_NAMES) {
    const value = cfg.getSecret(name);
    if (value !== undefined) secrets[name] = value;
  }
  return { ...data, stack, project: pulumi.getProject(), secrets };
}
