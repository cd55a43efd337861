import { ArtifactStore } from "../components/artifacts/artifact-store.ts";
import { artifactStoreLocation } from "../components/artifacts/settings.ts";
import type { CiIdentity } from "../components/ci/identity.ts";
import type { TagContext } from "../components/component.ts";
import type { GcpProjectApis } from "../components/gcp/apis.ts";
import type { StackConfig } from "./config/index.ts";

/** The store URL the HUT slots and runner hosts use: the declared store's, else `hut.artifacts.store`. */
export function artifactStoreUrl(cfg: StackConfig): string | undefined {
  if (cfg.artifacts.enabled) return artifactStoreLocation(cfg.artifacts).url;
  return cfg.hut.enabled ? cfg.hut.artifacts?.store.url : undefined;
}

/** The firmware artifact store, when `labfleet:artifacts` declares one. */
export function artifactStore(cfg: StackConfig, tags: TagContext, ci: CiIdentity | undefined, gcpApis: Map<string, GcpProjectApis>): ArtifactStore | undefined {
  if (!cfg.artifacts.enabled) return undefined;
  return new ArtifactStore("artifacts", {
    tags,
    settings: cfg.artifacts,
    project: cfg.project,
    githubOidcProviderArn: ci?.aws?.oidcProviderArn,
    gcpApis: cfg.artifacts.gcp ? gcpApis.get(cfg.artifacts.gcp.project) : undefined,
    deployers: { awsRoleArns: ci?.aws?.deployRoleArns, gcpServiceAccounts: ci?.outputs().gcp?.deployServiceAccounts },
  });
}
