/**
 * The one place that talks HTTP to GitLab.
 * Design notes: docs/design/gitlab.md ("components/gitlab/client.ts").
 */
import { Gitlab } from "@gitbeaker/rest";
import { createRequesterFn } from "@gitbeaker/requester-utils";
import { z } from "zod";
import { httpsOrLoopback } from "./naming.ts";

export type Api = InstanceType<typeof Gitlab<false>>;

/** https:// anywhere; plain http:// only on loopback (the test double). */
export const GitlabUrl = z
  .url()
  .refine(httpsOrLoopback, "must be an https:// URL (http:// is accepted for loopback test doubles only)")
  .transform((u) => u.replace(/\/+$/, ""));

export const Connection = {
  gitlabUrl: GitlabUrl,
  gitlabToken: z.string().min(1, "the GitLab token is empty"),
};

export interface RetryPolicy {
  /** Attempts per request, first one included. */
  maxAttempts: number;
  /** Longest `Retry-After` we honour; longer waits fail with a clear message. */
  maxRetryAfterSeconds: number;
  /** Back-off before retrying an idempotent request after 502/503/504: base·2^attempt ms. */
  backoffMs: number;
  /** Per-request time limit. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, maxRetryAfterSeconds: 120, backoffMs: 500, timeoutMs: 30_000 };

export class GitlabApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`GitLab API ${method} ${path} failed with ${status}${detail ? `: ${detail}` : ""}`);
    this.name = "GitlabApiError";
  }
}

/** A POST/PATCH whose outcome is unknown (502/503/504 or a lost connection): look up, then decide. */
export class AmbiguousWriteError extends GitlabApiError {
  constructor(method: string, path: string, status: number, detail: string) {
    super(method, path, status, `${detail} (the write may or may not have been applied)`);
    this.name = "AmbiguousWriteError";
  }
}

export function isStatus(err: unknown, ...statuses: number[]): err is GitlabApiError {
  return err instanceof GitlabApiError && statuses.includes(err.status);
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const TRANSIENT = new Set([502, 503, 504]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function redactor(token: string) {
  return (text: string) => (token.length >= 4 ? text.split(token).join("[redacted]") : text);
}

async function describe(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  if (!text) return response.statusText;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const m = body.message ?? body.error_description ?? body.error ?? text;
    return typeof m === "string" ? m : JSON.stringify(m);
  } catch {
    return text.slice(0, 300);
  }
}

function withNextLink(url: URL, headers: Record<string, string>): Record<string, string> {
  const next = headers["x-next-page"];
  if (headers.link || !next) return headers;
  const nextUrl = new URL(url);
  nextUrl.searchParams.set("page", next);
  return { ...headers, link: `<${nextUrl.toString()}>; rel="next"` };
}

async function parse(response: Response, url: URL) {
  const headers = withNextLink(url, Object.fromEntries(response.headers.entries()));
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  let body: unknown = null;
  if (response.status !== 204) {
    const text = await response.text();
    body = type === "application/json" && text ? JSON.parse(text) : text;
  }
  return { body: body as never, headers, status: response.status };
}

function requestHandler(policy: RetryPolicy, redact: (s: string) => string) {
  return async (endpoint: string, options?: Record<string, unknown>) => {
    const { prefixUrl, searchParams, method = "GET", headers, body } = (options ?? {}) as {
      prefixUrl?: string;
      searchParams?: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string | FormData;
    };
    const base = prefixUrl?.endsWith("/") ? prefixUrl : `${prefixUrl}/`;
    const url = new URL(endpoint, base);
    url.search = searchParams ?? "";
    const path = url.pathname.replace(/^.*?\/api\/v4/, "").split("/").map(decodeURIComponent).join("/");
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(policy.timeoutMs) });
      } catch (err) {
        const why = redact(err instanceof Error ? err.message : String(err));
        if (!IDEMPOTENT.has(method)) throw new AmbiguousWriteError(method, path, 0, `network error: ${why}`);
        if (attempt >= policy.maxAttempts) throw new GitlabApiError(method, path, 0, `network error after ${attempt} attempts: ${why}`);
        await sleep(policy.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if (response.ok) return parse(response, url);
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers.get("retry-after")) ?? policy.backoffMs * 2 ** (attempt - 1);
        await response.body?.cancel();
        if (attempt >= policy.maxAttempts) {
          throw new GitlabApiError(method, path, 429, `rate limited; still 429 after ${attempt} attempts`);
        }
        if (wait > policy.maxRetryAfterSeconds * 1000) {
          throw new GitlabApiError(method, path, 429, `rate limited; Retry-After ${Math.ceil(wait / 1000)}s exceeds ${policy.maxRetryAfterSeconds}s`);
        }
        await sleep(wait);
        continue;
      }
      const detail = redact(await describe(response));
      if (TRANSIENT.has(response.status)) {
        if (!IDEMPOTENT.has(method)) throw new AmbiguousWriteError(method, path, response.status, detail);
        if (attempt < policy.maxAttempts) {
          await sleep(policy.backoffMs * 2 ** (attempt - 1));
          continue;
        }
      }
      if (response.status === 401) {
        throw new GitlabApiError(method, path, 401, `${detail} — GitLab rejected the token (check labfleet:gitlabToken: valid, not expired, api scope)`);
      }
      throw new GitlabApiError(method, path, response.status, detail);
    }
  };
}

export interface Client {
  api: Api;
  /** For the few endpoints gitbeaker 43.8.0 does not wrap (e.g. runner token reset). */
  raw: Api["Projects"]["requester"];
  url: string;
}

export function connect(gitlabUrl: string, token: string, policy: RetryPolicy = DEFAULT_RETRY): Client {
  const url = GitlabUrl.parse(gitlabUrl);
  const requesterFn = createRequesterFn(
    (_service, requestOptions) => Promise.resolve(requestOptions),
    requestHandler(policy, redactor(token)),
  );
  // queryTimeout null: gitbeaker's one signal would span every retry; we time each attempt instead.
  const api = new Gitlab({ host: url, token, requesterFn, queryTimeout: null, rateLimits: {} });
  return { api, raw: api.Projects.requester, url };
}

/** `null` for 404, the value otherwise. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isStatus(err, 404)) return null;
    throw err;
  }
}

/** Resolves for 404 too: deleting something already gone is success. */
export async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isStatus(err, 404)) throw err;
  }
}

/**
 * Create-once: look up, adopt if found, else write; when a write's outcome is unknown (502…, in
 * the write or in an adopting write inside `lookup`) or GitLab says it already exists, look up
 * again instead of writing blindly.
 */
export async function createOnce<T>(what: string, steps: {
  lookup: () => Promise<T | null>;
  create: () => Promise<T>;
  exists?: (err: unknown) => boolean;
  attempts?: number;
}): Promise<{ value: T; adopted: boolean }> {
  const attempts = steps.attempts ?? 4;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const found = await steps.lookup();
      if (found !== null) return { value: found, adopted: true };
      return { value: await steps.create(), adopted: false };
    } catch (err) {
      if (err instanceof AmbiguousWriteError || steps.exists?.(err)) {
        last = err;
        continue;
      }
      throw err;
    }
  }
  throw new Error(`could not create ${what} after ${attempts} attempts: ${last instanceof Error ? last.message : String(last)}`);
}

/** ISO date (YYYY-MM-DD, UTC) `days` from `now`. */
export function isoDate(days: number, now = Date.now()): string {
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}
