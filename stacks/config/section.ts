import { z } from "zod";

/**
 * A config section that can be switched off. Absent or `enabled: false` yields `{ enabled: false }`
 * (other keys are then ignored); anything else must satisfy `body` in full.
 */
export type Section<T> = { enabled: false } | (T & { enabled: true });

export function section<S extends z.ZodObject, T = z.output<S>>(
  body: S,
  resolve?: (parsed: z.output<S>, ctx: z.RefinementCtx) => T,
) {
  const enabled = body.extend({ enabled: z.literal(true).default(true) });
  return z.unknown().optional().transform((input, ctx): Section<T> => {
    if (input === undefined || input === null) return { enabled: false };
    if (typeof input === "object" && (input as { enabled?: unknown }).enabled === false) {
      return { enabled: false };
    }
    const parsed = enabled.safeParse(input, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.issues.push(issue as never);
      return z.NEVER;
    }
    const data = parsed.data as z.output<S>;
    const resolved = resolve ? resolve(data, ctx) : (data as unknown as T);
    return { ...resolved, enabled: true } as T & { enabled: true };
  });
}

/** Registry of each section's enabled-body schema, for the generated config reference. */
export const sectionBodies = new Map<string, z.ZodObject>();

export function registerSection<S extends z.ZodObject, T = z.output<S>>(
  key: string,
  body: S,
  resolve?: (parsed: z.output<S>, ctx: z.RefinementCtx) => T,
) {
  sectionBodies.set(key, body);
  return section(body, resolve);
}
