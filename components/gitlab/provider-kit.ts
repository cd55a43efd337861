/** Shared plumbing of the GitLab provider impls: input validation, unknowns, diffs. */
import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** The value Pulumi sends for inputs that are not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const isUnknown = (v: unknown) => v === UNKNOWN;

/**
 * `check`: validates with zod; failures name the bad input. Inputs that are still unknown during
 * a preview are not judged (they are checked again once known).
 */
export function checkWith<S extends z.ZodType>(schema: S, news: Record<string, unknown>): pulumi.dynamic.CheckResult {
  const unknown = new Set(Object.keys(news).filter((k) => isUnknown(news[k])));
  const parsed = schema.safeParse(news);
  if (parsed.success) return { inputs: parsed.data as Record<string, unknown> };
  const failures = parsed.error.issues
    .filter((i) => !unknown.has(String(i.path[0])))
    .map((i) => ({ property: i.path.map(String).join(".") || "(inputs)", reason: i.message }));
  return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
}

/** Parses inputs in create/update, or throws an error naming the bad input. */
export function parseInputs<S extends z.ZodType>(resource: string, schema: S, inputs: unknown): z.output<S> {
  const parsed = schema.safeParse(inputs);
  if (parsed.success) return parsed.data;
  const what = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(inputs)"}: ${i.message}`).join("; ");
  throw new Error(`${resource}: invalid inputs — ${what}`);
}

/** Keys whose values differ (unknown counts as different; arrays compared as given). */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((k) => isUnknown(news[k]) || !isDeepStrictEqual(olds[k], news[k]));
}

/** Order-insensitive comparison of string lists. */
export function sameSet(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  return isDeepStrictEqual([...a].map(String).sort(), [...b].map(String).sort());
}

/** The input part of a state object, for `read`'s `inputs`. */
export function pickInputs(schema: z.ZodObject, props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(schema.shape)) if (k in props) out[k] = props[k];
  return out;
}
