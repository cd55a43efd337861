import { createHash } from "node:crypto";
import { isUnknown } from "./reveal.ts";
import { isSecretKeyName, PROVIDER_STAMPED_FIELDS_BY_TYPE, SECRET_FIELDS_BY_TYPE } from "./resource.ts";

/**
 * Approval fingerprints.
 * Design notes: docs/design/policies.md ("policies/lib/fingerprint.ts").
 */

export const SECRET_MARKER = "[secret]";
export const UNKNOWN_MARKER = "[unknown]";
export const REF_MARKER = "[ref]";
/** Hash of a property that is a reference as a whole (or was unknown when approved). */
export const REF_HASH = `sha256:${createHash("sha256").update(JSON.stringify(REF_MARKER)).digest("hex")}`;

export interface FingerprintSubject {
  urn: string;
  type: string;
  inputs: Record<string, unknown>;
  /** secret paths as the offline plan records them (`a.b`, `a[0].b`, `a.0.b`) */
  secretPaths?: string[];
  /** top-level properties derived from other resources' outputs (masked, see above) */
  derived?: string[];
}

export interface Fingerprint {
  fingerprint: string;
  properties: Record<string, string>;
  /** properties that contain an unknown value (preview only) */
  unknownProperties: string[];
  /** paths whose values were excluded as secret */
  excluded: string[];
}

export function parsePath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split(".")) {
    const re = /([^[\]]+)|\[(?:"([^"]*)"|(\d+))\]/g;
    for (let m = re.exec(part); m; m = re.exec(part)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  }
  return out.filter((p) => p !== "");
}

function sha256(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function tryJsonDocument(s: string): Json | undefined {
  const t = s.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return undefined;
  try {
    return JSON.parse(t) as Json;
  } catch {
    return undefined;
  }
}

interface Walk {
  secretTrie: Trie;
  excluded: string[];
  unknown: { found: boolean };
}

interface Trie {
  end: boolean;
  next: Map<string, Trie>;
}

function trieOf(paths: string[][]): Trie {
  const root: Trie = { end: false, next: new Map() };
  for (const p of paths) {
    let cur = root;
    for (const seg of p) {
      let n = cur.next.get(seg);
      if (!n) {
        n = { end: false, next: new Map() };
        cur.next.set(seg, n);
      }
      cur = n;
    }
    cur.end = true;
  }
  return root;
}

/**
 * Absent, null and an empty list are one input: a dynamic provider's check fills list defaults
 * under the engine that the offline plan never sees (docs/engine.md).
 */
function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function normalize(v: unknown, path: string, trie: Trie | undefined, w: Walk): Json {
  if (trie?.end) {
    w.excluded.push(path);
    return SECRET_MARKER;
  }
  if (isUnknown(v)) {
    w.unknown.found = true;
    return UNKNOWN_MARKER;
  }
  if (v === undefined || v === null) return null;
  if (typeof v === "string") {
    const doc = tryJsonDocument(v);
    return doc === undefined ? v : { $json: normalize(doc, path, trie, w) };
  }
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x, i) => normalize(x, `${path}[${i}]`, trie?.next.get(String(i)), w));
  if (typeof v === "object") {
    const out: { [k: string]: Json } = {};
    for (const key of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[key];
      if (isAbsent(x)) continue;
      const sub = `${path}.${key}`;
      if (isSecretKeyName(key)) {
        w.excluded.push(sub);
        out[key] = SECRET_MARKER;
        continue;
      }
      out[key] = normalize(x, sub, trie?.next.get(key), w);
    }
    return out;
  }
  return String(v);
}

function maskString(s: string): string {
  if (s === UNKNOWN_MARKER) return REF_MARKER;
  return s
    .replace(/arn:([\w-]+):([\w-]*):([\w-]*):(?!aws:)[^\s"',]*/g, (_m, p: string, svc: string) => `arn:${p}:${svc}:${REF_MARKER}`)
    .replace(/@[\w.-]+\.iam\.gserviceaccount\.com/g, `@${REF_MARKER}.iam.gserviceaccount.com`)
    .replace(/projects\/[^/\s"']+/g, `projects/${REF_MARKER}`);
}

function maskDeep(v: Json): Json {
  if (typeof v === "string") return maskString(v);
  if (Array.isArray(v)) return v.map(maskDeep);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskDeep(x)]));
  return v;
}

/** A derived property: a plain string is a reference; structures keep their literals. */
function maskDerived(v: Json): Json {
  if (typeof v === "string") return v === SECRET_MARKER ? v : REF_MARKER;
  return maskDeep(v);
}

/** Canonical JSON text: sorted keys, no whitespace. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as Json)}`)
    .join(",")}}`;
}

export function fingerprintOf(subject: FingerprintSubject): Fingerprint {
  const staticSecret = (SECRET_FIELDS_BY_TYPE[subject.type] ?? []).map((f) => [f]);
  const marked = (subject.secretPaths ?? []).map(parsePath);
  const trie = trieOf([...staticSecret, ...marked]);
  const excluded: string[] = [];
  const derived = new Set(subject.derived ?? []);
  const properties: Record<string, string> = {};
  const unknownProperties: string[] = [];
  const stamped = new Set(PROVIDER_STAMPED_FIELDS_BY_TYPE[subject.type] ?? []);
  for (const key of Object.keys(subject.inputs).sort()) {
    const value = subject.inputs[key];
    if (key.startsWith("__") || isAbsent(value) || stamped.has(key)) continue;
    const w: Walk = { secretTrie: trie, excluded, unknown: { found: false } };
    let norm: Json;
    if (isSecretKeyName(key)) {
      excluded.push(key);
      norm = SECRET_MARKER;
    } else {
      norm = normalize(value, key, trie.next.get(key), w);
    }
    if (derived.has(key)) norm = maskDerived(norm);
    if (w.unknown.found) unknownProperties.push(key);
    properties[key] = sha256(canonicalJson(norm));
  }
  const body: Json = { type: subject.type, urn: subject.urn, properties };
  if (derived.size > 0) body.derived = [...derived].sort();
  const fingerprint = sha256(canonicalJson(body));
  return { fingerprint, properties, unknownProperties, excluded };
}
