import type { TagContext } from "../components/component.ts";
import { GcpProjectApis, WIF_APIS } from "../components/gcp/apis.ts";
import { ARTIFACT_APIS } from "../components/gcp/artifact-bucket.ts";
import { consoleApis } from "../components/gcp/console.ts";
import type { StackConfig } from "./config/index.ts";

/**
 * One `GcpProjectApis` per GCP project this stack uses, enabling the union of what the
 * components in that project need (the console's APIs, the CI identity's WIF APIs, the artifact
 * store's storage and WIF APIs), so an API is
 * enabled once and every user waits for it.
 */
export function gcpProjectApis(cfg: StackConfig, tags: TagContext): Map<string, GcpProjectApis> {
  const wanted = new Map<string, Set<string>>();
  const want = (project: string, apis: readonly string[]) => {
    const set = wanted.get(project) ?? new Set<string>();
    for (const api of apis) set.add(api);
    wanted.set(project, set);
  };
  if (cfg.console.gcp.enabled) want(cfg.console.gcp.project, consoleApis(cfg.console.gcp));
  if (cfg.ci.enabled && cfg.ci.gcp.enabled && cfg.ci.gcp.project) want(cfg.ci.gcp.project, WIF_APIS);
  if (cfg.artifacts.enabled && cfg.artifacts.gcp) want(cfg.artifacts.gcp.project, ARTIFACT_APIS);
  return new Map([...wanted].map(([project, apis]) => [project, new GcpProjectApis(`gcp-apis-${project}`, { tags, project, apis: [...apis] })]));
}
