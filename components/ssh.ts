import { createHash } from "node:crypto";
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";

/**
 * The project's one SSH client plumbing (ssh2): key authentication, an optional pinned host key,
 * clear connect errors, and exec of one command line with stdin, SSH `env` requests and a
 * timeout. Used by the WireGuard ssh transport and by HUT actions on runner hosts. Messages
 * never carry keys, stdin or environment values.
 */

/** `SHA256:…` fingerprint (OpenSSH format) of a raw public key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Whether a presented host key blob is the pinned one (`ssh-ed25519 AAAA…` or `SHA256:…`). */
export function hostKeyMatches(pinned: string, blob: Buffer): boolean {
  if (pinned.startsWith("SHA256:")) return pinned.replace(/=+$/, "") === fingerprint(blob);
  const b64 = pinned.split(" ")[1] ?? "";
  return b64 === blob.toString("base64");
}

/** Pinned host key syntax: `ssh-ed25519 AAAA…` (optionally with a comment) or its SHA256:… fingerprint. */
export const HOST_KEY_RE = /^(SHA256:[A-Za-z0-9+/]{43}=?|(ssh|ecdsa)-[a-z0-9-]+ [A-Za-z0-9+/]+=*( .*)?)$/;

export class SshError extends Error {
  constructor(
    message: string,
    readonly kind: "auth" | "host-key" | "unreachable" | "exec" | "timeout",
  ) {
    super(message);
    this.name = "SshError";
  }
}

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  privateKey: string;
  /** Pinned host key; without one any host key is accepted (as OpenSSH with StrictHostKeyChecking=no). */
  hostKey?: string;
  readyTimeoutMs: number;
  /** What the target is, for messages: `the WireGuard hub`, `runner host`. */
  role: string;
  /** Short name of the target in the host-key message: `the hub`, `the runner`. */
  presenter: string;
}

/** `ssh user@host:port`, the label used in messages. */
export function sshLabel(t: Pick<SshTarget, "host" | "port" | "user">): string {
  return `ssh ${t.user}@${t.host}:${t.port}`;
}

/** Connects and authenticates; rejects with an SshError that names the target and the cause. */
export async function connectSsh(t: SshTarget): Promise<Client> {
  const target = sshLabel(t);
  const client = new Client();
  let seen: string | undefined;
  const config: ConnectConfig = {
    host: t.host,
    port: t.port,
    username: t.user,
    privateKey: t.privateKey,
    readyTimeout: t.readyTimeoutMs,
    hostVerifier: (key: Buffer) => {
      seen = fingerprint(key);
      return t.hostKey === undefined || hostKeyMatches(t.hostKey, key);
    },
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error & { level?: string }) => {
      client.removeAllListeners("ready");
      client.end();
      if (seen !== undefined && err.level === "client-authentication") {
        reject(new SshError(`ssh key authentication to ${target} was refused`, "auth"));
      } else if (seen !== undefined && /verification failed/i.test(err.message)) {
        reject(new SshError(`host key of ${target} does not match the pinned hostKey (${t.presenter} presented ${seen}); refusing to connect`, "host-key"));
      } else {
        reject(new SshError(`cannot reach ${t.role} ${target}: ${err.message}`, "unreachable"));
      }
    };
    client.once("ready", () => {
      client.removeListener("error", fail);
      client.on("error", () => {});
      resolve();
    });
    client.once("error", fail);
    try {
      client.connect(config);
    } catch (err) {
      fail(err as Error);
    }
  });
  return client;
}

export interface SshExecResult {
  /** Exit status, or null when the command died of a signal. */
  code: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command line (already shell-quoted) on a connected client. `env` goes as SSH `env`
 * requests (the server drops names its `AcceptEnv` does not list). On timeout the command gets
 * TERM, the channel is closed and the promise rejects with an SshError of kind "timeout".
 */
export function sshExec(
  client: Client,
  command: string,
  opts: { stdin?: string | Buffer; env?: Record<string, string>; timeoutMs: number; label: string; onData?: (out: string, err: string) => void },
): Promise<SshExecResult> {
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      try {
        channel?.signal("TERM");
        channel?.close();
      } catch {}
      reject(new SshError(`${opts.label} timed out after ${Math.round(opts.timeoutMs / 1000)}s`, "timeout"));
    }, opts.timeoutMs);
    const env = opts.env && Object.keys(opts.env).length > 0 ? { env: opts.env } : {};
    client.exec(command, env, (err, stream) => {
      if (err) {
        clearTimeout(timer);
        if (!settled) reject(new SshError(`ssh exec of ${opts.label} failed: ${err.message}`, "exec"));
        settled = true;
        return;
      }
      channel = stream;
      let stdout = "";
      let stderr = "";
      stream.on("data", (d: Buffer) => {
        stdout += d.toString();
        opts.onData?.(stdout, stderr);
      });
      stream.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        opts.onData?.(stdout, stderr);
      });
      stream.on("close", (code: number | null, signal?: string) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve({ code: typeof code === "number" ? code : null, signal: signal ?? undefined, stdout, stderr });
      });
      stream.on("error", () => undefined);
      stream.end(opts.stdin ?? "");
    });
  });
}
