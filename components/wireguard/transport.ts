import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "ssh2";
import { z } from "zod";
import { shellQuote } from "../shell.ts";
import { HOST_KEY_RE, connectSsh, sshExec } from "../ssh.ts";

/**
 * How the provider reaches the hub's `wg`: `local` runs it here (optionally inside a network
 * namespace via `ip netns exec`), `ssh` runs it on the hub over ssh2 with a pinned host key and
 * key authentication. Commands are argv arrays; secrets never appear in argv or messages.
 * A secret `wg` must read from a file (a preshared key) goes into a 0600 file in a fresh 0700
 * directory on the hub, removed right after the command, whatever its outcome. (`/dev/stdin`
 * does not work: node gives children a socket as stdin, which `wg` cannot fopen.)
 */
export const TransportSpec = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("local").describe("run `wg` on this host"),
    netns: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]+$/, "must be a network namespace name")
      .optional()
      .describe("run `wg` inside this network namespace (`ip netns exec`)"),
  }),
  z.strictObject({
    kind: z.literal("ssh").describe("run `wg` on the hub over ssh (key auth; key in the secret labfleet:wireguardSshKey)"),
    host: z.string().min(1).describe("hub host name or address"),
    port: z.number().int().min(1).max(65535).default(22).describe("sshd port"),
    user: z.string().min(1).default("root").describe("ssh user"),
    hostKey: z
      .string()
      .regex(HOST_KEY_RE, "must be `ssh-ed25519 AAAA…` or a SHA256:… fingerprint")
      .describe("pinned host key: `ssh-ed25519 AAAA…` or its SHA256:… fingerprint; any other key is refused"),
    sudo: z.boolean().default(false).describe("prefix wg with `sudo -n`"),
    timeoutSeconds: z.number().int().positive().default(15).describe("connect and per-command timeout"),
  }),
]);
export type TransportSpec = z.input<typeof TransportSpec>;

export interface Transport {
  /** Human label of the target, e.g. `local (netns hub-1)` or `ssh wgadmin@hub:22`. */
  readonly target: string;
  /** Runs argv (with sudo when configured); resolves stdout, rejects with TransportError on a non-zero exit. */
  run(argv: string[], stdin?: string): Promise<string>;
  /** As `run`, always without sudo (files the transport's user owns, e.g. the hub's persist file). */
  runAsUser(argv: string[], stdin?: string): Promise<string>;
  /** Writes `content` to a 0600 file in a new 0700 directory on the hub, runs `fn(path)`, removes both. */
  withSecretFile<T>(content: string, fn: (path: string) => Promise<T>): Promise<T>;
  close(): void;
}

export class TransportError extends Error {
  constructor(
    message: string,
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

const LOCAL_TIMEOUT_MS = 30_000;

function commandError(target: string, argv: string[], code: number | string | null | undefined, stderr: string): TransportError {
  const detail = stderr.trim().split("\n").slice(-3).join(" / ");
  return new TransportError(
    `\`${argv.join(" ")}\` on ${target} failed (exit ${code ?? "?"})${detail ? `: ${detail}` : ""}`,
    typeof code === "number" ? code : undefined,
  );
}

function localTransport(netns: string | undefined): Transport {
  const target = netns ? `local (netns ${netns})` : "local";
  return {
    target,
    run(argv, stdin) {
      const full = netns ? ["ip", "netns", "exec", netns, ...argv] : argv;
      return new Promise((resolve, reject) => {
        const child = execFile(full[0]!, full.slice(1), { timeout: LOCAL_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
          if (err) {
            const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
            if (code === "ENOENT") reject(new TransportError(`${full[0]} is not installed on ${target}`));
            else reject(commandError(target, argv, typeof code === "number" ? code : (err.signal ?? code as string), stderr));
            return;
          }
          resolve(stdout);
        });
        child.stdin?.on("error", () => undefined);
        child.stdin?.end(stdin);
      });
    },
    runAsUser(argv, stdin) {
      return this.run(argv, stdin);
    },
    async withSecretFile(content, fn) {
      const dir = await mkdtemp(join(tmpdir(), "labfleet-wg-"));
      try {
        const file = join(dir, "secret");
        await writeFile(file, content, { mode: 0o600 });
        return await fn(file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    close() {},
  };
}

export { fingerprint } from "../ssh.ts";

type SshSpec = Extract<z.output<typeof TransportSpec>, { kind: "ssh" }>;

async function sshTransport(spec: SshSpec, privateKey: string | undefined): Promise<Transport> {
  const target = `ssh ${spec.user}@${spec.host}:${spec.port}`;
  if (!privateKey) throw new TransportError(`no ssh private key for ${target} (set the secret labfleet:wireguardSshKey)`);
  let client: Client;
  try {
    client = await connectSsh({
      host: spec.host,
      port: spec.port,
      user: spec.user,
      privateKey,
      hostKey: spec.hostKey,
      readyTimeoutMs: spec.timeoutSeconds * 1000,
      role: "the WireGuard hub",
      presenter: "the hub",
    });
  } catch (err) {
    throw new TransportError((err as Error).message);
  }
  const exec = async (argv: string[], stdin: string | undefined, sudo: boolean): Promise<string> => {
    const command = (sudo ? ["sudo", "-n", ...argv] : argv).map(shellQuote).join(" ");
    let r: Awaited<ReturnType<typeof sshExec>>;
    try {
      r = await sshExec(client, command, { stdin: stdin ?? "", timeoutMs: spec.timeoutSeconds * 1000, label: `\`${argv.join(" ")}\` on ${target}` });
    } catch (err) {
      throw new TransportError((err as Error).message);
    }
    if (r.code === 0) return r.stdout;
    throw commandError(target, argv, r.code, r.stderr);
  };
  return {
    target,
    run: (argv, stdin) => exec(argv, stdin, spec.sudo),
    runAsUser: (argv, stdin) => exec(argv, stdin, false),
    async withSecretFile(content, fn) {
      // As the ssh user (no sudo): mktemp -d makes a 0700 directory, umask 077 a 0600 file.
      const dir = (await exec(["mktemp", "-d", "/tmp/labfleet-wg-XXXXXXXX"], undefined, false)).trim();
      if (!/^\/tmp\/labfleet-wg-[A-Za-z0-9]+$/.test(dir)) throw new TransportError(`mktemp on ${target} returned ${JSON.stringify(dir)}`);
      try {
        await exec(["sh", "-c", 'umask 077 && cat > "$1"', "sh", `${dir}/secret`], content, false);
        return await fn(`${dir}/secret`);
      } finally {
        await exec(["rm", "-rf", dir], undefined, false).catch(() => undefined);
      }
    },
    close() {
      client.end();
    },
  };
}

export async function openTransport(spec: TransportSpec, sshPrivateKey?: string): Promise<Transport> {
  const s = TransportSpec.parse(spec);
  return s.kind === "local" ? localTransport(s.netns) : sshTransport(s, sshPrivateKey);
}

/** Opens a transport, runs `fn`, always closes it. */
export async function withTransport<T>(spec: TransportSpec, sshPrivateKey: string | undefined, fn: (t: Transport) => Promise<T>): Promise<T> {
  const t = await openTransport(spec, sshPrivateKey);
  try {
    return await fn(t);
  } finally {
    t.close();
  }
}
