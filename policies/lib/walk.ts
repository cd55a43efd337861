import { parse as parseYaml } from "yaml";
import { isUnknown } from "./reveal.ts";

/**
 * Visits every known value of a revealed value with its path. Strings holding JSON documents are
 * visited as the parsed document (path suffix `<json>`), not as text; cloud-init user-data is
 * visited as text and as its parsed YAML (`<cloud-config>`).
 */
export interface Visit {
  path: string;
  value: unknown;
  key?: string;
  parent?: Record<string, unknown> | unknown[];
}

function parseJsonText(s: string): unknown {
  const t = s.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** cloud-init user-data (`#cloud-config` YAML) carries files and commands worth scanning. */
function parseCloudConfig(s: string): unknown {
  if (!s.startsWith("#cloud-config")) return undefined;
  try {
    return parseYaml(s);
  } catch {
    return undefined;
  }
}

export function* walk(value: unknown, path = "", skipKeys: string[] = ["__provider"]): Generator<Visit> {
  if (isUnknown(value) || value === undefined) return;
  if (typeof value === "string") {
    const doc = parseJsonText(value);
    if (doc !== undefined) {
      yield* walk(doc, `${path}<json>`, skipKeys);
      return;
    }
    yield { path, value };
    const cloud = parseCloudConfig(value);
    if (cloud && typeof cloud === "object") yield* walk(cloud, `${path}<cloud-config>`, skipKeys);
    return;
  }
  yield { path, value };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* walk(value[i], `${path}[${i}]`, skipKeys);
    return;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (skipKeys.includes(k)) continue;
      yield* walk(v, path ? `${path}.${k}` : k, skipKeys);
    }
  }
}

/** Every known string in a revealed value, with its path. */
export function* strings(value: unknown, path = ""): Generator<{ path: string; value: string }> {
  for (const v of walk(value, path)) if (typeof v.value === "string") yield { path: v.path, value: v.value };
}
