import type { z } from "zod";
import { formatPath } from "../../hardware/schema/key-path.ts";

/** Pulumi's marker for a value not known yet (during a preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Props = Record<string, unknown>;

/**
 * A dynamic provider's `check`: the inputs validated and normalised by `schema`, or one failure per
 * offending input path. Problems on values that are still unknown (preview) are not failures;
 * the inputs then pass through as given.
 */
export function checkInputs(schema: z.ZodType, news: Props): { inputs: Props } | { failures: { property: string; reason: string }[] } {
  const r = schema.safeParse(news);
  if (r.success) return { inputs: r.data as Props };
  const failures = r.error.issues
    .filter((i) => valueAt(news, i.path) !== UNKNOWN)
    .map((i) => ({ property: formatPath(i.path) || "(inputs)", reason: i.message }));
  return failures.length > 0 ? { failures } : { inputs: news };
}

function valueAt(obj: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}
