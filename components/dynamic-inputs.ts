import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import type { z } from "zod";

/**
 * The impl side of the dynamic-provider kit (docs/architecture.md, "Dynamic providers"): the one
 * `check`, input parsing, unknown values and diff helpers every `*-impl.ts` uses. The resource
 * side and the adapter are in `dynamic.ts`.
 */

type Props = Record<string, unknown>;

/** True for the SDK's marker of a value not known yet (preview). */
export function isUnknown(v: unknown): boolean {
  return v === unknownValue;
}

/** True when `v` is, or holds at any depth, a value not known yet. */
export function hasUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknown);
  return false;
}

/** Drops the host's `__provider` (the adapter already does; impls driven by tests may see it). */
export function withoutProvider(o: Props): Props {
  const { __provider: _, ...rest } = o;
  return rest;
}

/** Plain JSON: results cross the wire as protobuf Structs, which refuse `undefined`. */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `a.b.0`, or `(inputs)` for the whole bag. */
const propertyPath = (path: ReadonlyArray<PropertyKey>) => path.map(String).join(".") || "(inputs)";

export interface CheckOptions {
  /** Prefix of each failure's reason, e.g. `peer "agent-a"` (default: none). */
  label?: string | ((news: Props) => string);
  /**
   * Valid values put in place of unknown required inputs while validating, so that rules across
   * inputs (e.g. an address inside a CIDR) still judge the known ones. The unknowns are kept.
   */
  standIns?: Props;
}

/**
 * The one `check` of the kit: `news` validated and normalised by `schema`, or one failure per
 * offending property. An input that is (or holds) a value not known yet (preview) is not judged:
 * its problems are no failures, and it passes through as given; it is checked again once known.
 */
export function checkInputs(schema: z.ZodType, news: Props, options: CheckOptions = {}): { inputs: Props } | { failures: pulumi.dynamic.CheckFailure[] } {
  const given = withoutProvider(news);
  const unknownKeys = Object.keys(given).filter((k) => hasUnknown(given[k]));
  // Unknown inputs are judged absent (or as their stand-in), so that the known ones still get
  // their defaults and rules; the unknowns are put back into the result.
  const probe: Props = { ...given };
  for (const k of unknownKeys) probe[k] = options.standIns?.[k];
  const parsed = schema.safeParse(probe);
  if (parsed.success) {
    const inputs: Props = { ...(parsed.data as Props) };
    for (const k of unknownKeys) inputs[k] = given[k];
    return { inputs: plain(inputs) };
  }
  const label = typeof options.label === "function" ? options.label(given) : options.label;
  const failures = parsed.error.issues
    .filter((i) => !unknownKeys.includes(String(i.path[0])))
    .map((i) => ({ property: propertyPath(i.path), reason: label ? `${label}: ${propertyPath(i.path)}: ${i.message}` : i.message }));
  return failures.length > 0 ? { failures } : { inputs: given };
}

/** The checked inputs, or `news` as given when they have failures. */
export function checkedOr(checked: ReturnType<typeof checkInputs>, news: Props): Props {
  return "inputs" in checked ? checked.inputs : news;
}

/** Parses inputs in create/update, or throws an error naming the bad input. */
export function parseInputs<S extends z.ZodType>(resource: string, schema: S, inputs: unknown): z.output<S> {
  const parsed = schema.safeParse(inputs);
  if (parsed.success) return parsed.data;
  const what = parsed.error.issues.map((i) => `${propertyPath(i.path)}: ${i.message}`).join("; ");
  throw new Error(`${resource}: invalid inputs — ${what}`);
}

/** Keys whose values differ (a value not known yet counts as different; arrays compared as given). */
export function changedKeys(olds: Props, news: Props, keys: readonly string[]): string[] {
  return keys.filter((k) => hasUnknown(news[k]) || !isDeepStrictEqual(olds[k], news[k]));
}

/** Order-insensitive comparison of string lists. */
export function sameSet(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  return isDeepStrictEqual([...a].map(String).sort(), [...b].map(String).sort());
}

/** The input part of a state object, for `read`'s `inputs`. */
export function pickInputs(schema: z.ZodObject, props: Props): Props {
  const out: Props = {};
  for (const k of Object.keys(schema.shape)) if (k in props) out[k] = props[k];
  return out;
}
