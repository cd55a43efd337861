import { z } from "zod";

/**
 * The artifact store's shapes, shared by the stack (which declares the store and exports its
 * URL), the upstream lane's uploader (tools/artifacts/) and `hut fetch`: the store URL, the
 * commit SHA, the object layout and the manifest the uploader writes beside each build
 * (docs/design/artifacts.md).
 */

/** An esptool `--chip` name (also the key of the inventory's slots and the stack's firmware). */
export const ChipName = z.string().regex(/^esp32[a-z0-9]*$/, "must be an esptool chip name like esp32, esp32s3");

/** A full git commit SHA (SHA-1 or SHA-256 object format), lower-case. */
export const CommitSha = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "must be a full commit SHA (40 or 64 hex digits)"));

/** A build file's name inside `<sha>/<chip>/` (no directories). */
export const BuildFileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be a plain file name (letters, digits, . _ -)");

const BUCKET_S3 = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_GCS = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const PREFIX = /^(?:[A-Za-z0-9._-]+\/)*$/;

/** Where a store lives: an S3 bucket, a GCS bucket, or a local directory (the `local` stack). */
export type StoreLocation = { kind: "s3" | "gs"; bucket: string; prefix: string; url: string } | { kind: "file"; dir: string; url: string };

/**
 * `s3://bucket[/prefix]`, `gs://bucket[/prefix]` or `file:///absolute/dir`. The prefix is kept
 * with a trailing slash (or empty); the canonical `url` has no trailing slash.
 */
export const StoreUrl = z
  .string()
  .min(1, "must be a store URL")
  .transform((raw, ctx): StoreLocation => {
    const bad = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    const m = /^(s3|gs|file):\/\/(.*)$/.exec(raw);
    if (!m) return bad("must be s3://bucket[/prefix], gs://bucket[/prefix] or file:///absolute/dir");
    const [, scheme, rest] = m as unknown as [string, "s3" | "gs" | "file", string];
    if (scheme === "file") {
      const dir = rest.replace(/\/+$/, "");
      if (!dir.startsWith("/") || dir.split("/").includes("..")) return bad("file:// needs an absolute directory without .. (file:///var/lib/labfleet/artifacts)");
      return { kind: "file", dir, url: `file://${dir}` };
    }
    const [bucket = "", ...parts] = rest.split("/");
    if (!(scheme === "s3" ? BUCKET_S3 : BUCKET_GCS).test(bucket)) return bad(`${JSON.stringify(bucket)} is not a valid ${scheme === "s3" ? "S3" : "GCS"} bucket name`);
    const path = parts.filter(Boolean).join("/");
    const prefix = path ? `${path}/` : "";
    if (!PREFIX.test(prefix)) return bad(`prefix ${JSON.stringify(path)} may hold only letters, digits, . _ - and /`);
    return { kind: scheme, bucket, prefix, url: `${scheme}://${bucket}${path ? `/${path}` : ""}` };
  });

export const MANIFEST_SCHEMA = "labfleet.artifact-manifest.v1";
export const MANIFEST_FILE = "manifest.json";

/** One chip's build in a manifest. */
export const ManifestBuild = z.strictObject({
  file: BuildFileName.describe("the build's file name under <sha>/<chip>/"),
  bytes: z.number().int().nonnegative().describe("its size"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits").describe("its sha256"),
  built_at: z.iso.datetime({ offset: true }).describe("when the upstream lane built it (UTC)"),
  workflow_run_url: z.url({ protocol: /^https?$/ }).describe("the upstream lane's run that built it"),
});
export type ManifestBuild = z.output<typeof ManifestBuild>;

/** `<store>/<sha>/manifest.json`, written by the uploader after every build it lists. */
export const ArtifactManifest = z.strictObject({
  schema_version: z.literal(MANIFEST_SCHEMA),
  sha: CommitSha,
  builds: z.record(ChipName, ManifestBuild).describe("per chip"),
});
export type ArtifactManifest = z.output<typeof ArtifactManifest>;

/** The object key (relative to the store) of a SHA's manifest. */
export function manifestKey(sha: string): string {
  return `${sha}/${MANIFEST_FILE}`;
}

/** The object key (relative to the store) of one chip's build of a SHA. */
export function buildKey(sha: string, chip: string, file: string): string {
  return `${sha}/${chip}/${file}`;
}
