import type { PolicyResource } from "@pulumi/policy";
import { revealProps } from "./reveal.ts";

/** A stack resource with its props revealed once. */
export interface StackItem {
  r: PolicyResource;
  props: Record<string, unknown>;
}

export function stackItems(resources: PolicyResource[]): StackItem[] {
  return resources.map((r) => ({ r, props: revealProps(r.props) }));
}

/**
 * The resources a property refers to: `propertyDependencies[prop]` when the engine recorded it,
 * else every dependency of one of the given types.
 */
export function referenced(r: PolicyResource, prop: string, types: string[]): PolicyResource[] {
  const byProp = r.propertyDependencies?.[prop];
  const pool = byProp && byProp.length > 0 ? byProp : r.dependencies;
  return pool.filter((d) => types.includes(d.type));
}
