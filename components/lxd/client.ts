import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { z } from "zod";
import { LxdEnvelope, LxdExecResult, LxdOperation, STATUS } from "./api.ts";
import { describeRemote, type LxdRemote } from "./remote.ts";

/**
 * A small LXD REST client over the unix socket or HTTPS with a TLS client certificate
 * (node:http / node:https only). Every request has a time limit; async operations are awaited
 * through `/1.0/operations/<id>/wait?timeout=…`; LXD error envelopes become `LxdError`s that say
 * what was asked of which daemon and what LXD answered.
 */

export type LxdErrorKind = "api" | "connection" | "operation" | "timeout" | "protocol";

export class LxdError extends Error {
  readonly kind: LxdErrorKind;
  /** HTTP status (api errors) or LXD operation status code. */
  readonly status: number | undefined;
  constructor(kind: LxdErrorKind, message: string, status?: number) {
    super(message);
    this.name = "LxdError";
    this.kind = kind;
    this.status = status;
  }
  get notFound(): boolean {
    return this.kind === "api" && this.status === 404;
  }
}

export interface LxdResponse {
  status: number;
  etag: string | undefined;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface LxdCall {
  /** The sync metadata, or for async calls the operation as created. */
  metadata: unknown;
  etag: string | undefined;
  /** `/1.0/operations/<id>` for async responses. */
  operation: string | undefined;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RequestOptions {
  /** JSON body. */
  body?: unknown;
  /** Raw body (file uploads), sent as application/octet-stream. */
  bytes?: Buffer;
  /** Extra request headers (e.g. X-LXD-mode). */
  headers?: Record<string, string>;
  ifMatch?: string;
  timeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** OpenSSL verification failures that mean "not the certificate we trust". */
const TLS_VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);
/** Longest single `/wait` call; longer waits are split so that every HTTP request stays bounded. */
export const DEFAULT_WAIT_SLICE_SECONDS = 30;

export interface LxdClientOptions {
  remote: LxdRemote;
  /** PEM private key of `remote.clientCertificate` (https remotes). */
  clientKey?: string;
  requestTimeoutMs?: number;
  /** Longest single `/wait` call (default 30 s); tests shorten it to prove the slicing. */
  waitSliceSeconds?: number;
}

export class LxdClient {
  readonly remote: LxdRemote;
  private readonly tls: https.RequestOptions | undefined;
  private readonly requestTimeoutMs: number;
  private readonly waitSliceSeconds: number;

  constructor(opts: LxdClientOptions) {
    this.remote = opts.remote;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.waitSliceSeconds = opts.waitSliceSeconds ?? DEFAULT_WAIT_SLICE_SECONDS;
    if (opts.remote.kind === "https") {
      if (!opts.clientKey) {
        throw new LxdError("connection", `LXD remote ${describeRemote(opts.remote)}: the client key (labfleet:lxdClientKey) is not set`);
      }
      this.tls = tlsOptions(opts.remote.clientCertificate, opts.clientKey, opts.remote.serverCertificate);
    }
  }

  /** Where this client talks to, for messages. */
  get where(): string {
    return describeRemote(this.remote);
  }

  /** Adds `project=` to a path when the remote uses a non-default project. */
  withProject(path: string): string {
    if (this.remote.project === "default") return path;
    const sep = path.includes("?") ? "&" : "?";
    return `${path}${sep}project=${encodeURIComponent(this.remote.project)}`;
  }

  /** One raw HTTP exchange. Throws `LxdError` (connection/timeout) only for transport failures. */
  raw(method: string, path: string, opts: RequestOptions = {}): Promise<LxdResponse> {
    const body = opts.bytes ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
    const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
    if (body) {
      // LXD parses form-encoded bodies itself, so raw uploads must say octet-stream.
      headers["Content-Type"] = opts.bytes ? "application/octet-stream" : "application/json";
      headers["Content-Length"] = String(body.length);
    }
    if (opts.ifMatch) headers["If-Match"] = opts.ifMatch;
    const fullPath = this.withProject(path);
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
    const what = `${method} ${fullPath} on ${this.where}`;

    return new Promise<LxdResponse>((resolve, reject) => {
      let req: http.ClientRequest;
      const onResponse = (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => reject(new LxdError("connection", `LXD ${what}: ${err.message}`)));
        res.on("end", () => {
          const etag = res.headers.etag;
          resolve({
            status: res.statusCode ?? 0,
            etag: typeof etag === "string" ? etag : undefined,
            headers: res.headers,
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      };
      if (this.remote.kind === "unix") {
        req = http.request({ socketPath: this.remote.socket, path: fullPath, method, headers: { ...headers, Host: "lxd" }, agent: false }, onResponse);
      } else {
        const url = new URL(fullPath, this.remote.url);
        req = https.request(url, { ...this.tls, method, headers, agent: false }, onResponse);
      }
      req.setTimeout(timeoutMs, () => {
        req.destroy(new LxdError("timeout", `LXD ${what}: no answer within ${Math.round(timeoutMs / 1000)}s`));
      });
      req.on("error", (err: Error & { code?: string }) => {
        if (err instanceof LxdError) return reject(err);
        const hint =
          err.code === "ENOENT" || err.code === "ECONNREFUSED"
            ? " (is the LXD daemon running and is this the right socket/address?)"
            : err.code === "EACCES"
              ? " (no permission: run as root or as a member of the lxd group)"
              : err.code && TLS_VERIFY_CODES.has(err.code)
                ? this.remote.kind === "https" && this.remote.serverCertificate
                  ? " (the server's certificate is not the remote's pinned serverCertificate)"
                  : " (LXD's own certificate is self-signed: pin it with the remote's serverCertificate)"
                : "";
        reject(new LxdError("connection", `cannot reach LXD at ${this.where}: ${err.message}${hint}`));
      });
      if (body) req.write(body);
      req.end();
    });
  }

  /** A JSON API call: error envelopes and HTTP errors become `LxdError("api")`. */
  async call(method: string, path: string, opts: RequestOptions = {}): Promise<LxdCall> {
    const res = await this.raw(method, path, opts);
    let json: unknown;
    try {
      json = JSON.parse(res.text);
    } catch {
      throw new LxdError(
        res.status >= 400 ? "api" : "protocol",
        `LXD ${method} ${path} on ${this.where}: HTTP ${res.status} with a non-JSON body: ${res.text.slice(0, 200)}`,
        res.status,
      );
    }
    const env = LxdEnvelope.safeParse(json);
    if (!env.success) {
      throw new LxdError("protocol", `LXD ${method} ${path} on ${this.where}: unexpected response: ${env.error.issues[0]?.message ?? "invalid"}`, res.status);
    }
    if (env.data.type === "error") {
      throw new LxdError("api", `LXD ${method} ${path} on ${this.where} failed (${env.data.error_code}): ${env.data.error}`, env.data.error_code);
    }
    if (env.data.type === "async") return { metadata: env.data.metadata, etag: res.etag, operation: env.data.operation };
    return { metadata: env.data.metadata, etag: res.etag, operation: undefined };
  }

  /** GET returning validated metadata and the ETag. */
  async get<S extends z.ZodType>(path: string, schema: S): Promise<{ value: z.output<S>; etag: string | undefined }> {
    const r = await this.call("GET", path);
    return { value: parse(schema, r.metadata, `GET ${path}`, this.where), etag: r.etag };
  }

  /** GET that answers `undefined` for 404. */
  async find<S extends z.ZodType>(path: string, schema: S): Promise<{ value: z.output<S>; etag: string | undefined } | undefined> {
    try {
      return await this.get(path, schema);
    } catch (err) {
      if (err instanceof LxdError && err.notFound) return undefined;
      throw err;
    }
  }

  /**
   * Sends a request that may start an operation, and waits for it (at most `timeoutSeconds`).
   * Resolves with the finished operation (undefined for sync answers); a failed operation
   * throws `LxdError("operation")` with LXD's `err`, an unfinished one `LxdError("timeout")`.
   */
  async operate(method: string, path: string, timeoutSeconds: number, opts: RequestOptions = {}): Promise<LxdOperation | undefined> {
    const r = await this.call(method, path, opts);
    if (!r.operation) return undefined;
    const op = await this.wait(r.operation, timeoutSeconds);
    if (op.status_code !== STATUS.success) {
      throw new LxdError(
        "operation",
        `LXD ${method} ${path} on ${this.where}: operation "${op.description ?? op.id}" ended ${op.status}: ${op.err || "(no reason given)"}`,
        op.status_code,
      );
    }
    return op;
  }

  /**
   * Waits for an operation to leave the running state, in bounded slices. A slice that ends with
   * the operation still running is answered differently by the daemons: LXD 5.0 returns the
   * running operation, Incus 6.0 (and newer LXD) an error envelope ("context deadline exceeded",
   * code 500). So the answer of `/wait` is not trusted for that case: after an error the
   * operation itself is read, and only if that fails too is the `/wait` error the result.
   */
  async wait(operation: string, timeoutSeconds: number): Promise<LxdOperation> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (;;) {
      const remaining = Math.ceil((deadline - Date.now()) / 1000);
      const slice = Math.max(0, Math.min(remaining, this.waitSliceSeconds));
      const op = await this.waitSlice(operation, slice);
      if (op.status_code >= STATUS.success) return op;
      if (Date.now() >= deadline) {
        throw new LxdError("timeout", `LXD operation "${op.description ?? op.id}" on ${this.where} did not finish within ${timeoutSeconds}s`, op.status_code);
      }
    }
  }

  /** One `/wait?timeout=<slice>`; the operation as it is at the end of the slice. */
  private async waitSlice(operation: string, slice: number): Promise<LxdOperation> {
    let r: LxdCall;
    try {
      r = await this.call("GET", `${operation}/wait?timeout=${slice}`, { timeoutMs: (slice + 15) * 1000 });
    } catch (err) {
      if (!(err instanceof LxdError) || err.kind !== "api") throw err;
      const current = await this.call("GET", operation).catch(() => undefined);
      if (!current) throw err;
      r = current;
    }
    return parse(LxdOperation, r.metadata, `GET ${operation}/wait`, this.where);
  }

  /**
   * Runs a command in an instance through the exec API with `record-output`, waits at most
   * `timeoutSeconds`, and returns its exit code and output (the recorded logs are removed).
   */
  async exec(instance: string, command: string[], opts: { timeoutSeconds: number; environment?: Record<string, string> }): Promise<ExecResult> {
    const path = `/1.0/instances/${encodeURIComponent(instance)}/exec`;
    const r = await this.call("POST", path, {
      body: {
        command,
        environment: opts.environment ?? {},
        "record-output": true,
        "wait-for-websocket": false,
        interactive: false,
      },
    });
    if (!r.operation) throw new LxdError("protocol", `LXD POST ${path} on ${this.where}: expected an operation`);
    const op = await this.wait(r.operation, opts.timeoutSeconds);
    if (op.status_code !== STATUS.success) {
      throw new LxdError("operation", `exec ${JSON.stringify(command.join(" "))} in ${instance} on ${this.where} ${op.status}: ${op.err}`, op.status_code);
    }
    const meta = parse(LxdExecResult, op.metadata, `exec ${command[0]}`, this.where);
    const stdout = meta.output["1"] ? await this.log(meta.output["1"]) : "";
    const stderr = meta.output["2"] ? await this.log(meta.output["2"]) : "";
    return { exitCode: meta.return, stdout, stderr };
  }

  /** Reads a recorded exec log and deletes it (best effort). */
  private async log(path: string): Promise<string> {
    const res = await this.raw("GET", path);
    if (res.status !== 200) throw new LxdError("api", `LXD GET ${path} on ${this.where}: HTTP ${res.status}`, res.status);
    await this.raw("DELETE", path).catch(() => undefined);
    return res.text;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new LxdError("protocol", `LXD ${what} on ${where}: unexpected response${at}: ${issue?.message ?? "invalid"}`);
  }
  return r.data;
}

/**
 * TLS options: the client certificate, and either a pinned server certificate (compared by
 * SHA-256 fingerprint, LXD's self-signed certificates carry no usable host name) or the
 * system CAs with the normal host name check.
 */
function tlsOptions(cert: string, key: string, pinned: string | undefined): https.RequestOptions {
  if (!pinned) return { cert, key, rejectUnauthorized: true };
  let fingerprint: string;
  try {
    fingerprint = new X509Certificate(pinned).fingerprint256;
  } catch (err) {
    throw new LxdError("connection", `the pinned LXD server certificate is not a valid PEM certificate: ${(err as Error).message}`);
  }
  return {
    cert,
    key,
    ca: [pinned],
    rejectUnauthorized: true,
    checkServerIdentity: (_host, peer) =>
      peer.fingerprint256 === fingerprint
        ? undefined
        : new Error(`LXD server certificate ${peer.fingerprint256} does not match the pinned certificate ${fingerprint}`),
  };
}
