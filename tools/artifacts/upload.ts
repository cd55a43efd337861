import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { ArtifactStore } from "../../hardware/artifact-store.ts";
import { ArtifactManifest, BuildFileName, MANIFEST_SCHEMA, type ManifestBuild, buildKey, manifestKey } from "../../hardware/schema/artifacts.ts";

/**
 * The upstream lane's uploader (docs/runbooks/upstream-lane.md): every build of one commit goes
 * to `<store>/<sha>/<chip>/<file>`, then the manifest `<store>/<sha>/manifest.json` that lists
 * them — last, so a reader that finds a manifest finds its builds. A SHA's builds are immutable:
 * uploading a chip again with other bytes is refused; the same bytes again are a no-op.
 */
export interface UploadBuild {
  chip: string;
  /** Local path of the image. */
  path: string;
}

export interface UploadRequest {
  store: ArtifactStore;
  sha: string;
  builds: UploadBuild[];
  workflowRunUrl: string;
  builtAt?: string;
}

export class UploadConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadConflictError";
  }
}

export async function uploadBuilds(req: UploadRequest): Promise<ArtifactManifest> {
  const { store, sha } = req;
  const existing = await store.get(manifestKey(sha));
  const before = existing ? ArtifactManifest.parse(JSON.parse(Buffer.from(existing).toString("utf8"))) : undefined;
  const builtAt = req.builtAt ?? new Date().toISOString();
  const builds: Record<string, ManifestBuild> = { ...before?.builds };
  const uploads: { key: string; body: Uint8Array }[] = [];
  for (const b of req.builds) {
    const body = readFileSync(b.path);
    const file = BuildFileName.parse(basename(b.path));
    const entry: ManifestBuild = { file, bytes: body.length, sha256: createHash("sha256").update(body).digest("hex"), built_at: builtAt, workflow_run_url: req.workflowRunUrl };
    const old = builds[b.chip];
    if (old && (old.sha256 !== entry.sha256 || old.file !== entry.file)) {
      throw new UploadConflictError(`${store.url}/${manifestKey(sha)} already has a ${b.chip} build of ${sha} (${old.file}, sha256 ${old.sha256}); builds by commit are immutable`);
    }
    if (old) continue;
    builds[b.chip] = entry;
    uploads.push({ key: buildKey(sha, b.chip, file), body });
  }
  const manifest = ArtifactManifest.parse({ schema_version: MANIFEST_SCHEMA, sha, builds });
  for (const u of uploads) await store.put(u.key, u.body, "application/octet-stream");
  if (uploads.length > 0) await store.put(manifestKey(sha), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), "application/json");
  return manifest;
}

/** The run URL GitHub Actions describes in its environment (`…/actions/runs/<id>/attempts/<n>`). */
export function githubRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (!server || !repo || !id) return undefined;
  return `${server}/${repo}/actions/runs/${id}${attempt ? `/attempts/${attempt}` : ""}`;
}
