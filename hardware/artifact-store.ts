import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic-file.ts";
import type { StoreLocation } from "./schema/artifacts.ts";

/**
 * The artifact store as the uploader and `hut fetch` see it: get and put whole objects by key
 * (relative to the store URL). S3 and GCS go through their official SDKs, which find keyless
 * credentials themselves (AWS: web identity token file + role, GCP: an external-account
 * credentials file); a `file://` store is a directory (docs/design/artifacts.md).
 */
export interface ArtifactStore {
  readonly url: string;
  /** The object's bytes, or undefined when there is no such object (a missing bucket is an error). */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

/** A store that could not be read or written (credentials, network, missing bucket). */
export class StoreError extends Error {
  constructor(url: string, key: string, cause: unknown) {
    super(`${url}/${key}: ${describe(cause)}`);
    this.name = "StoreError";
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown; Code?: unknown }).Code ?? (err as { code?: unknown }).code;
  return code && !err.message.includes(String(code)) ? `${String(code)}: ${err.message}` : err.message;
}

export function openStore(loc: StoreLocation, env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  if (loc.kind === "file") return fileStore(loc.dir, loc.url);
  return loc.kind === "s3" ? s3Store(loc.bucket, loc.prefix, loc.url, env) : gcsStore(loc.bucket, loc.prefix, loc.url, env);
}

function fileStore(dir: string, url: string): ArtifactStore {
  return {
    url,
    async get(key) {
      try {
        return readFileSync(join(dir, key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new StoreError(url, key, err);
      }
    },
    async put(key, body) {
      const path = join(dir, key);
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
        writeFileAtomic(path, body, 0o644);
      } catch (err) {
        throw new StoreError(url, key, err);
      }
    },
  };
}

/**
 * S3 through @aws-sdk/client-s3 and its default credential chain. The region comes from
 * AWS_REGION (us-east-1 otherwise; requests to a bucket elsewhere follow S3's redirect). An
 * endpoint from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (an S3-compatible server) uses path-style
 * addressing.
 */
function s3Store(bucket: string, prefix: string, url: string, env: NodeJS.ProcessEnv): ArtifactStore {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const client = import("@aws-sdk/client-s3").then((sdk) => ({
    sdk,
    s3: new sdk.S3Client({
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
      followRegionRedirects: true,
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    }),
  }));
  return {
    url,
    async get(key) {
      const { sdk, s3 } = await client;
      try {
        const res = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: prefix + key }));
        return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      } catch (err) {
        if (err instanceof sdk.NoSuchKey || (err as Error).name === "NoSuchKey") return undefined;
        throw new StoreError(url, key, err);
      }
    },
    async put(key, body, contentType) {
      const { sdk, s3 } = await client;
      try {
        await s3.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: prefix + key, Body: body, ContentType: contentType }));
      } catch (err) {
        throw new StoreError(url, key, err);
      }
    },
  };
}

/**
 * GCS through @google-cloud/storage and Application Default Credentials. HUT_GCS_ENDPOINT points
 * it at a GCS-compatible server (the library's own STORAGE_EMULATOR_HOST sends metadata and
 * uploads to inconsistent paths, docs/design/artifacts.md). A 404 is "no such object" only while
 * the bucket exists.
 */
function gcsStore(bucketName: string, prefix: string, url: string, env: NodeJS.ProcessEnv): ArtifactStore {
  const apiEndpoint = env.HUT_GCS_ENDPOINT || undefined;
  const bucket = import("@google-cloud/storage").then(({ Storage }) => new Storage(apiEndpoint ? { apiEndpoint } : {}).bucket(bucketName));
  return {
    url,
    async get(key) {
      const b = await bucket;
      try {
        const [data] = await b.file(prefix + key).download();
        return data;
      } catch (err) {
        if ((err as { code?: unknown }).code === 404 && (await b.exists().then(([yes]) => yes, () => false))) return undefined;
        throw new StoreError(url, key, err);
      }
    },
    async put(key, body, contentType) {
      const b = await bucket;
      try {
        await b.file(prefix + key).save(Buffer.from(body), { resumable: false, contentType });
      } catch (err) {
        throw new StoreError(url, key, err);
      }
    },
  };
}
