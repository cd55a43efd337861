import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/**
 * Home Assistant stand-in.
 * Design notes: docs/design/hut.md ("hardware/sim/home-assistant.ts").
 */

export interface HaCall {
  method: string;
  path: string;
  body?: unknown;
  /** ms (performance.now()) at arrival. */
  at: number;
  authorization?: string;
  /** What the double answered: HTTP status and, for a state read, the state. */
  status?: number;
  state?: string;
}

interface Fault {
  method?: string;
  path: RegExp;
  status?: number;
  delayMs?: number;
  times: number;
}

export interface HaDoubleOptions {
  token: string;
  entities: Record<string, string>;
  transitionMs?: number;
  /** TCP port on 127.0.0.1; 0 (default) = a free one chosen by the kernel. */
  port?: number;
}

export class HaDouble {
  readonly calls: HaCall[] = [];
  readonly states = new Map<string, string>();
  readonly stuck = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private server!: Server;
  url = "";

  private constructor(private readonly opts: HaDoubleOptions) {
    for (const [k, v] of Object.entries(opts.entities)) this.states.set(k, v);
  }

  static async start(opts: HaDoubleOptions): Promise<HaDouble> {
    const d = new HaDouble(opts);
    d.server = createServer((req, res) => void d.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      d.server.once("error", reject);
      d.server.listen(opts.port ?? 0, "127.0.0.1", resolve);
    });
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  fail(match: { method?: string; path: RegExp }, status: number, times = 1) {
    this.faults.push({ ...match, status, times });
  }

  slow(match: { method?: string; path: RegExp }, delayMs: number, times = 1) {
    this.faults.push({ ...match, delayMs, times });
  }

  /** Compact call log: "GET switch.x", "POST turn_off". */
  sequence(): string[] {
    return this.calls.map((c) => (c.method === "GET" ? `GET ${c.path.split("/").pop()}` : `POST ${c.path.split("/").pop()}`));
  }

  async close() {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const at = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const call: HaCall = { method: req.method ?? "", path, at, authorization: req.headers.authorization };
    res.once("finish", () => {
      call.status = res.statusCode;
    });
    if (text) {
      try {
        call.body = JSON.parse(text);
      } catch {
        call.body = text;
      }
    }
    this.calls.push(call);

    const fault = this.faults.find((f) => f.times > 0 && f.path.test(path) && (!f.method || f.method === call.method));
    if (fault) {
      fault.times--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.status) return this.send(res, fault.status, { message: `injected ${fault.status}` });
    }
    if (req.headers.authorization !== `Bearer ${this.opts.token}`) return this.sendText(res, 401, "Unauthorized");
    const state = /^\/api\/states\/([^/]+)$/.exec(path);
    if (state && req.method === "GET") {
      const id = state[1]!;
      const s = this.states.get(id);
      if (s === undefined) return this.send(res, 404, { message: "Entity not found." });
      call.state = s;
      return this.send(res, 200, this.stateObject(id, s));
    }
    const service = /^\/api\/services\/([^/]+)\/([^/]+)$/.exec(path);
    if (service && req.method === "POST") {
      const [, domain, name] = service;
      if (domain !== "switch" || (name !== "turn_on" && name !== "turn_off")) return this.sendText(res, 400, "Bad Request");
      const id = (call.body as { entity_id?: string } | undefined)?.entity_id ?? "";
      const cur = this.states.get(id);
      if (cur === undefined || this.stuck.has(id) || cur === "unavailable") return this.send(res, 200, []);
      const next = name === "turn_on" ? "on" : "off";
      const delay = this.opts.transitionMs ?? 0;
      if (delay === 0) {
        this.states.set(id, next);
        return this.send(res, 200, cur === next ? [] : [this.stateObject(id, next)]);
      }
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.states.set(id, next);
      }, delay);
      this.timers.add(t);
      return this.send(res, 200, []);
    }
    return this.sendText(res, 404, "Not Found");
  }

  private stateObject(id: string, state: string) {
    const now = new Date().toISOString();
    return { entity_id: id, state, attributes: { friendly_name: id }, last_changed: now, last_updated: now, context: { id: "c" } };
  }

  /** HA's (aiohttp's) plain error answer: `401: Unauthorized`. */
  private sendText(res: ServerResponse, status: number, reason: string) {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(`${status}: ${reason}`);
  }

  private send(res: ServerResponse, status: number, body: unknown) {
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }
}
