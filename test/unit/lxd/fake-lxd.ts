import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import * as http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fake LXD daemon on a unix socket that replays recorded API responses
 * (test/fixtures/lxd/*.json, recorded from the real daemon by record.sh; VM ones derived by
 * derive-vm.sh). Routes answer in sequence (the last answer repeats); every request is logged.
 */

export interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  /** Delay before answering, in ms. */
  delayMs?: number;
}

type Answer = Reply | ((req: Seen) => Reply);

interface Route {
  method: string;
  path: string | RegExp;
  answers: Answer[];
  used: number;
}

const FIXTURES = join(import.meta.dirname, "../../fixtures/lxd");

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")) as T;
}

/** A sync envelope around `metadata`. */
export function sync(metadata: unknown, headers?: Record<string, string>): Reply {
  return { json: { type: "sync", status: "Success", status_code: 200, operation: "", error_code: 0, error: "", metadata }, headers };
}

export function lxdError(code: number, error: string): Reply {
  return { status: code, json: { type: "error", status: "", status_code: 0, operation: "", error_code: code, error, metadata: null } };
}

/** An async envelope (recorded shape) for operation `id`. */
export function asyncOp(id: string, description: string): Reply {
  const rec = fixture<{ metadata: Record<string, unknown> }>("exec-created");
  return {
    status: 202,
    json: { ...rec, operation: `/1.0/operations/${id}`, metadata: { ...rec.metadata, id, description } },
  };
}

/** A finished operation as `/wait` answers it (recorded shape). */
export function opDone(id: string, description: string, metadata: unknown = null, status: "Success" | "Failure" | "Running" = "Success", err = ""): Reply {
  const rec = fixture<{ metadata: Record<string, unknown> }>("exec-finished");
  const status_code = status === "Success" ? 200 : status === "Failure" ? 400 : 103;
  return sync({ ...rec.metadata, id, description, status, status_code, metadata, err });
}

export class FakeLxd {
  readonly requests: Seen[] = [];
  private readonly routes: Route[] = [];
  private constructor(
    readonly socket: string,
    private readonly dir: string,
    private readonly server: http.Server,
  ) {}

  static async start(): Promise<FakeLxd> {
    const dir = await mkdtemp(join(tmpdir(), "fake-lxd-"));
    const socket = join(dir, "unix.socket");
    let self: FakeLxd | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const seen: Seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
        self?.requests.push(seen);
        const reply = self?.answer(seen) ?? lxdError(404, `fake LXD: no route for ${seen.method} ${seen.path}`);
        const send = () => {
          const body = reply.text ?? JSON.stringify(reply.json);
          res.writeHead(reply.status ?? 200, { "Content-Type": reply.text !== undefined ? "text/plain" : "application/json", ...reply.headers });
          res.end(body);
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    self = new FakeLxd(socket, dir, server);
    return self;
  }

  /** Adds a route; its answers are given in turn, the last one repeating. */
  on(method: string, path: string | RegExp, ...answers: Answer[]): this {
    this.routes.push({ method, path, answers, used: 0 });
    return this;
  }

  /** Requests matching method and path (path without query). */
  seen(method: string, path: string | RegExp): Seen[] {
    return this.requests.filter((r) => r.method === method && match(path, r.path));
  }

  private answer(req: Seen): Reply | undefined {
    for (let i = this.routes.length - 1; i >= 0; i--) {
      const route = this.routes[i]!;
      if (route.method !== req.method || !match(route.path, req.path)) continue;
      const a = route.answers[Math.min(route.used, route.answers.length - 1)]!;
      route.used++;
      return typeof a === "function" ? a(req) : a;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

function match(pattern: string | RegExp, url: string): boolean {
  const path = url.split("?")[0] ?? url;
  return typeof pattern === "string" ? pattern === path : pattern.test(url);
}
