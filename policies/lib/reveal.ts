import { UnknownValueError } from "@pulumi/policy";

/**
 * Preview-time unknowns. CrossGuard hands a rule its props wrapped in `unknownCheckingProxy`,
 * which throws `UnknownValueError` on reading a value that is not known yet; the server then
 * downgrades the whole rule to an *advisory* "can't run during preview" note. A mandatory rule
 * must not be silently downgraded, so rules first `reveal` the props into plain data in which
 * every unknown is the `UNKNOWN` marker, and then decide explicitly (fail closed, or check the
 * known parts). Only the public behaviour of the proxy is used (read, catch the error).
 */
export const UNKNOWN: unique symbol = Symbol.for("labfleet.policy.unknown");
export type Unknown = typeof UNKNOWN;

export function isUnknown(v: unknown): v is Unknown {
  return v === UNKNOWN;
}

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function read(obj: Record<string, unknown> | unknown[], key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch (err) {
    if (err instanceof UnknownValueError) return UNKNOWN;
    throw err;
  }
}

/** Plain deep copy of (possibly proxied) props, with every unknown value replaced by `UNKNOWN`. */
export function reveal(value: unknown): unknown {
  if (!isPlainContainer(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) out.push(reveal(read(value, String(i))));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = reveal(read(value, key));
  return out;
}

/** `reveal` for a resource's props (always an object). */
export function revealProps(props: unknown): Record<string, unknown> {
  const r = reveal(props);
  return r && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : {};
}

/** Paths (`a.b[0]`) of every unknown inside a revealed value. */
export function unknownPaths(value: unknown, path = ""): string[] {
  if (isUnknown(value)) return [path || "(value)"];
  if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Reads a nested key of a revealed object; `undefined` when absent, `UNKNOWN` when unknown. */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
  let cur = value;
  for (const k of keys) {
    if (isUnknown(cur)) return UNKNOWN;
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}
