/**
 * The one place tags/labels are merged. AWS takes `tags` as written; GCP labels must be
 * lower-case `[a-z0-9_-]`, so `gcpLabels` normalises the same map.
 */
export interface TagContext {
  environment: string;
  stack: string;
  extra?: Record<string, string>;
}

export function mergeTags(ctx: TagContext, component: string, own: Record<string, string> = {}): Record<string, string> {
  return {
    ...ctx.extra,
    ...own,
    environment: ctx.environment,
    component,
    "managed-by": "pulumi",
    "pulumi-stack": ctx.stack,
  };
}

export function gcpLabels(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    const key = k.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
    out[/^[a-z]/.test(key) ? key : `l${key}`.slice(0, 63)] = v.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, 63);
  }
  return out;
}
