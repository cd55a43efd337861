/**
 * A private sshd for the ssh-transport tests: Debian's openssh-server on 127.0.0.1 and a free
 * high port, with its own config, host key, client key and authorized_keys in a 0700 temp dir.
 * Started in the foreground (`sshd -D`), stopped by pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fingerprint } from "../../../components/wireguard/transport.ts";
import { sh } from "./netns-lab.ts";

export interface Sshd {
  port: number;
  /** `ssh-ed25519 AAAA…` of the server. */
  hostKeyLine: string;
  hostKeyFingerprint: string;
  /** OpenSSH private key the server accepts. */
  clientKey: string;
  /** A key pair the server does not accept. */
  strangerKey: string;
  /** A host key line that is not the server's. */
  otherHostKeyLine: string;
  stop(): Promise<void>;
}

/** sshd_config lines of every test sshd: key authentication only, root by key, quiet. */
export const SSHD_KEY_ONLY = [
  "PubkeyAuthentication yes",
  "PasswordAuthentication no",
  "KbdInteractiveAuthentication no",
  "PermitRootLogin prohibit-password",
  "UsePAM no",
  "StrictModes no",
  "LogLevel ERROR",
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

async function keygen(dir: string, name: string): Promise<void> {
  await sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name)]);
}

/** `extraConfig`: more sshd_config lines (e.g. `AcceptEnv HA_URL HA_TOKEN` for the HUT action test). */
export async function startSshd(opts: { extraConfig?: string[] } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), "wgt-sshd-"));
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 }); // privilege-separation dir sshd requires
    await Promise.all(["host", "client", "stranger", "otherhost"].map((n) => keygen(dir, n)));
    const pub = (n: string) => readFileSync(join(dir, `${n}.pub`), "utf8").trim();
    writeFileSync(join(dir, "authorized_keys"), `${pub("client")}\n`, { mode: 0o600 });
    const port = await freePort();
    const config = [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      ...SSHD_KEY_ONLY,
      ...(opts.extraConfig ?? []),
    ].join("\n");
    writeFileSync(join(dir, "sshd_config"), `${config}\n`, { mode: 0o600 });
    child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`sshd exited: ${stderr.trim()}`);
      const up = await new Promise<boolean>((resolve) => {
        const s = createServer();
        s.once("error", () => resolve(true)); // port taken = sshd listening
        s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
      });
      if (up) break;
      if (i > 100) throw new Error("sshd did not listen within 5 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const hostKeyLine = pub("host").split(" ").slice(0, 2).join(" ");
    return {
      port,
      hostKeyLine,
      hostKeyFingerprint: fingerprint(Buffer.from(hostKeyLine.split(" ")[1]!, "base64")),
      clientKey: readFileSync(join(dir, "client"), "utf8"),
      strangerKey: readFileSync(join(dir, "stranger"), "utf8"),
      otherHostKeyLine: pub("otherhost").split(" ").slice(0, 2).join(" "),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
