import { readFileSync } from "node:fs";
import { parse } from "yaml";

/**
 * Reads a `Pulumi.<stack>.yaml` (or any file in that format) into the engine's config shape:
 * `ns:key` → string (objects as JSON). `secure:` values cannot be decrypted offline: they become
 * a placeholder and their key is marked secret, as the engine marks a key with any secure part.
 */
export interface EngineConfig {
  config: Record<string, string>;
  secretKeys: string[];
}

export const SECRET_PLACEHOLDER_PREFIX = "offline-secret-placeholder:";

function isSecure(v: unknown): v is { secure: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

function replaceSecure(v: unknown, key: string, found: { secret: boolean }): unknown {
  if (isSecure(v)) {
    found.secret = true;
    return `${SECRET_PLACEHOLDER_PREFIX}${key}`;
  }
  if (Array.isArray(v)) return v.map((x, i) => replaceSecure(x, `${key}[${i}]`, found));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaceSecure(x, `${key}.${k}`, found)]));
  }
  return v;
}

export function engineConfigFromDocument(doc: unknown, project: string, source: string): EngineConfig {
  const root = (doc ?? {}) as { config?: unknown };
  if (root.config !== undefined && (typeof root.config !== "object" || root.config === null || Array.isArray(root.config))) {
    throw new Error(`${source}: "config" must be a map of keys`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries((root.config ?? {}) as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const found = { secret: false };
    const replaced = replaceSecure(value, key, found);
    config[key] = typeof replaced === "string" ? replaced : JSON.stringify(replaced);
    if (found.secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

export function readStackFile(path: string, project: string): EngineConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  return engineConfigFromDocument(doc, project, path);
}
