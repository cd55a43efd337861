import { createHash } from "node:crypto";
import { type ArtifactStore, StoreError } from "./artifact-store.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { EXIT } from "./errors.ts";
import { issuesToMessage } from "./inventory.ts";
import { ArtifactManifest, buildKey, manifestKey } from "./schema/artifacts.ts";

/**
 * `hut fetch`: the upstream lane's build of one commit SHA for one chip, verified against the
 * manifest beside it and written atomically (docs/runbooks/hut.md, "hut fetch").
 *
 * Statuses: `ok`; `not_found` (no manifest for the SHA, or no build for the chip in it);
 * `sha_mismatch` (the object's sha256 or size differs from the manifest: nothing is written);
 * `store_error` (unreadable store, a malformed manifest).
 */
export type FetchStatus = "ok" | "not_found" | "sha_mismatch" | "store_error";

export interface FetchResult {
  status: FetchStatus;
  store: string;
  sha: string;
  chip: string;
  out: string | null;
  file: string | null;
  bytes: number | null;
  sha256: string | null;
  built_at: string | null;
  workflow_run_url: string | null;
  message: string;
}

export interface FetchRequest {
  store: ArtifactStore;
  sha: string;
  chip: string;
  out: string;
  /** Mode of the written file (default 0600: readable by hut's user only). */
  mode?: number;
}

export const FETCH_EXIT: Record<FetchStatus, number> = { ok: EXIT.ok, sha_mismatch: EXIT.failed, store_error: EXIT.failed, not_found: EXIT.noBuild };

export async function fetchBuild(req: FetchRequest): Promise<FetchResult> {
  const { store, sha, chip } = req;
  const base = { store: store.url, sha, chip, out: null, file: null, bytes: null, sha256: null, built_at: null, workflow_run_url: null };
  const fail = (status: FetchStatus, message: string): FetchResult => ({ ...base, status, message });
  try {
    const raw = await store.get(manifestKey(sha));
    if (!raw) return fail("not_found", `no build for commit ${sha} in ${store.url} (no ${manifestKey(sha)})`);
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(raw).toString("utf8"));
    } catch {
      return fail("store_error", `${store.url}/${manifestKey(sha)} is not JSON`);
    }
    const parsed = ArtifactManifest.safeParse(data);
    if (!parsed.success) return fail("store_error", issuesToMessage(`manifest ${store.url}/${manifestKey(sha)}`, parsed.error.issues));
    const manifest = parsed.data;
    if (manifest.sha !== sha) return fail("store_error", `${store.url}/${manifestKey(sha)} names commit ${manifest.sha}, not ${sha}`);
    const build = manifest.builds[chip];
    if (!build) {
      const chips = Object.keys(manifest.builds).join(", ") || "none";
      return fail("not_found", `commit ${sha} has no build for chip ${chip} (built: ${chips})`);
    }
    const described = { ...base, file: build.file, built_at: build.built_at, workflow_run_url: build.workflow_run_url };
    const key = buildKey(sha, chip, build.file);
    const body = await store.get(key);
    if (!body) return { ...described, status: "not_found", message: `${store.url}/${key} is listed in the manifest but missing` };
    const sha256 = createHash("sha256").update(body).digest("hex");
    if (sha256 !== build.sha256 || body.length !== build.bytes) {
      return {
        ...described,
        bytes: body.length,
        sha256,
        status: "sha_mismatch",
        message: `${store.url}/${key}: sha256 ${sha256} (${body.length} bytes), the manifest says ${build.sha256} (${build.bytes} bytes); nothing written`,
      };
    }
    writeFileAtomic(req.out, body, req.mode ?? 0o600);
    return { ...described, out: req.out, bytes: body.length, sha256, status: "ok", message: `${chip} build of ${sha} (${body.length} bytes, sha256 ${sha256}) written to ${req.out}` };
  } catch (err) {
    if (err instanceof StoreError) return fail("store_error", err.message);
    throw err;
  }
}
