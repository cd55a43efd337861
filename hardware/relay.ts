import { z } from "zod";

/**
 * Home Assistant REST client for relay switches: Bearer token, one AbortSignal timeout per
 * request, errors classified as `ha_error` or `timeout`. Error messages carry the method, the
 * path and the cause — never the token, the Authorization header or URL credentials.
 */

export type HaErrorKind = "ha_error" | "timeout";

export class HaError extends Error {
  constructor(
    readonly kind: HaErrorKind,
    message: string,
    /** Worth another attempt (5xx, 429, timeouts, connection errors, `unavailable`). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "HaError";
  }
}

export interface HaClientOptions {
  url: string;
  token: string;
  requestTimeoutMs: number;
  /** Aborts every request (shutdown). */
  signal?: AbortSignal;
}

const EntityState = z.looseObject({ entity_id: z.string(), state: z.string() });
export type EntityState = z.infer<typeof EntityState>;

const HINT: Record<number, string> = {
  401: " (token rejected: check HA_TOKEN)",
  403: " (token lacks permission)",
  404: "",
};

export class HomeAssistantClient {
  private readonly base: URL;
  constructor(private readonly opts: HaClientOptions) {
    const u = new URL(opts.url);
    u.username = "";
    u.password = "";
    this.base = u;
  }

  /** `GET /api/states/<entity>`; 404 → non-retryable "unknown entity". */
  async getState(entity: string): Promise<EntityState> {
    const path = `/api/states/${encodeURIComponent(entity)}`;
    const body = await this.request("GET", path, undefined, (status) =>
      status === 404 ? `entity ${entity} does not exist in Home Assistant (GET ${path}: 404)` : undefined,
    );
    const parsed = EntityState.safeParse(body);
    if (!parsed.success) throw new HaError("ha_error", `GET ${path}: unexpected response body`, true);
    return parsed.data;
  }

  /**
   * `POST /api/services/<domain>/<service>` with `{ entity_id }`. `ignoreShutdown` lets the
   * call run after the shutdown signal fired (restoring power on the way out).
   */
  async callService(domain: string, service: string, entity: string, opts: { ignoreShutdown?: boolean } = {}): Promise<void> {
    await this.request("POST", `/api/services/${domain}/${service}`, { entity_id: entity }, undefined, opts.ignoreShutdown);
  }

  private async request(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    describe?: (status: number) => string | undefined,
    ignoreShutdown = false,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.opts.requestTimeoutMs);
    const signal = this.opts.signal && !ignoreShutdown ? AbortSignal.any([timeout, this.opts.signal]) : timeout;
    const url = new URL(path.replace(/^\//, ""), this.base.href.endsWith("/") ? this.base : `${this.base.href}/`);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          "content-type": "application/json",
          accept: "application/json",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        redirect: "error",
      });
    } catch (err) {
      throw this.transportError(method, path, err, timeout);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.transportError(method, path, err, timeout);
    }
    if (!res.ok) {
      const custom = describe?.(res.status);
      const retryable = res.status >= 500 || res.status === 429;
      throw new HaError(
        "ha_error",
        custom ?? `${method} ${path}: ${res.status} ${res.statusText}${HINT[res.status] ?? ""}`,
        retryable,
      );
    }
    if (text === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new HaError("ha_error", `${method} ${path}: response is not JSON`, true);
    }
  }

  private transportError(method: string, path: string, err: unknown, timeout: AbortSignal): HaError {
    if (timeout.aborted) {
      return new HaError("timeout", `${method} ${path}: no response within ${this.opts.requestTimeoutMs / 1000}s`, true);
    }
    if (this.opts.signal?.aborted) return new HaError("ha_error", `${method} ${path}: interrupted`, false);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
    return new HaError("ha_error", `${method} ${path}: ${scrub(String(why), this.opts.token)}`, true);
  }
}

/** Belt and braces: no message leaves this module with the token in it. */
function scrub(text: string, token: string): string {
  return token ? text.split(token).join("[redacted]") : text;
}
