import { request } from "node:http";
import type { Client } from "ssh2";
import { shellQuote } from "../shell.ts";
import { SshError, type SshExecResult, connectSsh, sshExec } from "../ssh.ts";
import type { FleetHost } from "./hosts.ts";
import type { FleetHealth } from "./settings.ts";

/**
 * One SSH session to one agent at its tunnel address (ssh2, key authentication, bounded connect
 * and per-command timeouts). The fleet's commands run through `sh -c` with their variables set by
 * `env`, so no shell of the operator's ever sees them. Messages name the host, never the key.
 */

export interface AgentAccess {
  user: string;
  port: number;
  privateKey: string;
  connectTimeoutSeconds: number;
}

/** `agent-3 (10.231.100.4)`, the host as messages name it. */
export const hostLabel = (h: FleetHost) => `${h.name} (${h.address})`;

export class AgentSession {
  private constructor(
    readonly host: FleetHost,
    private readonly client: Client,
  ) {}

  static async open(host: FleetHost, access: AgentAccess): Promise<AgentSession> {
    const client = await connectSsh({
      host: host.address,
      port: access.port,
      user: host.user ?? access.user,
      privateKey: access.privateKey,
      readyTimeoutMs: access.connectTimeoutSeconds * 1000,
      role: `agent ${host.name}`,
      presenter: "the agent",
    });
    return new AgentSession(host, client);
  }

  /** Runs `command` under `sh -c` with `vars` in its environment. */
  run(command: string, opts: { vars?: Record<string, string>; stdin?: string | Buffer; timeoutMs: number; what: string }): Promise<SshExecResult> {
    const env = Object.entries(opts.vars ?? {}).map(([k, v]) => `${k}=${v}`);
    const line = ["env", ...env, "sh", "-c", command].map(shellQuote).join(" ");
    return sshExec(this.client, line, { stdin: opts.stdin, timeoutMs: opts.timeoutMs, label: `${opts.what} on ${hostLabel(this.host)}` });
  }

  /** GET `url` as the agent itself (a TCP stream forwarded by its sshd); resolves the status code. */
  httpStatus(url: string, timeoutMs: number): Promise<number> {
    const u = new URL(url);
    const port = Number(u.port || 80);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SshError(`GET ${url} on ${hostLabel(this.host)} timed out`, "timeout")), timeoutMs);
      const done = (fn: () => void) => {
        clearTimeout(timer);
        fn();
      };
      this.client.forwardOut("127.0.0.1", 0, u.hostname, port, (err, stream) => {
        if (err) return done(() => reject(new SshError(`cannot reach ${u.host} from ${hostLabel(this.host)}: ${err.message}`, "exec")));
        const req = request({ createConnection: () => stream as never, host: u.hostname, port, path: `${u.pathname}${u.search}`, method: "GET" }, (res) => {
          res.resume();
          res.on("end", () => done(() => resolve(res.statusCode ?? 0)));
        });
        req.on("error", (e) => done(() => reject(new SshError(`GET ${url} on ${hostLabel(this.host)}: ${e.message}`, "exec"))));
        req.end();
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

const ATTEMPT_MIN_MS = 5000;

export interface HealthResult {
  healthy: boolean;
  /** Why not: the last exit code and stderr line, or the last HTTP status. */
  detail: string;
}

/**
 * The health gate: the command (exit 0) or the URL (2xx), retried every second until healthy or
 * `timeoutSeconds` have passed (the last attempt may run up to 5 s past it).
 */
export async function checkHealth(s: AgentSession, health: FleetHealth, vars: Record<string, string>): Promise<HealthResult> {
  const deadline = Date.now() + health.timeoutSeconds * 1000;
  let detail = "not checked";
  for (;;) {
    // An attempt started before the deadline gets at least ATTEMPT_MIN_MS (a slow, busy host).
    const left = Math.max(ATTEMPT_MIN_MS, deadline - Date.now());
    try {
      if (health.command !== undefined) {
        const r = await s.run(health.command, { vars, timeoutMs: left, what: "the health check" });
        if (r.code === 0) return { healthy: true, detail: "ok" };
        detail = `health command exited ${r.code ?? r.signal}${lastLine(r.stderr) ? `: ${lastLine(r.stderr)}` : ""}`;
      } else {
        const status = await s.httpStatus(health.url!, left);
        if (status >= 200 && status < 300) return { healthy: true, detail: "ok" };
        detail = `GET ${health.url} answered ${status}`;
      }
    } catch (err) {
      if (!(err instanceof SshError)) throw err;
      detail = err.message;
    }
    if (Date.now() + 1000 > deadline) return { healthy: false, detail: `${detail} (still after ${health.timeoutSeconds}s, health.timeoutSeconds)` };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function lastLine(text: string): string {
  return text.trim().split("\n").pop()?.trim().slice(0, 300) ?? "";
}
