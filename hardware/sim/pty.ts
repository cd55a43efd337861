import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The simulated board (prints the app's boot banner to a pty's device end): `sh SIM_BOARD <device>`. */
export const SIM_BOARD = join(import.meta.dirname, "sim-board.sh");

/**
 * A simulated serial adapter: a pty pair from `socat`, one end linked at `port` (the path `hut`
 * opens, e.g. a /dev/serial/by-id/… name), the other at `device` (where a fake board writes).
 * socat removes both links when it ends. Used by the hut integration tests (a child of the test)
 * and by the simulated lab (`detached`: outlives `npm run lab`, stopped by pid).
 */
export interface SocatPty {
  port: string;
  device: string;
  pid: number;
  child: ChildProcess;
}

export function socatPtyArgv(port: string, device: string): string[] {
  return ["socat", `pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${device}`];
}

/** `detached` needs `logFile` (socat's stderr; a pipe would die with the caller). */
export async function startSocatPty(
  port: string,
  device: string,
  opts: { detached?: boolean; logFile?: string; timeoutMs?: number } = {},
): Promise<SocatPty> {
  mkdirSync(dirname(port), { recursive: true });
  mkdirSync(dirname(device), { recursive: true });
  const [cmd, ...args] = socatPtyArgv(port, device);
  const logFd = opts.logFile ? openSync(opts.logFile, "a", 0o600) : undefined;
  const child = spawn(cmd!, args, { stdio: ["ignore", "ignore", logFd ?? "pipe"], detached: opts.detached === true });
  if (logFd !== undefined) closeSync(logFd);
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const diagnostics = () => (opts.logFile ? readFileSync(opts.logFile, "utf8").slice(-500) : err).trim();
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once("spawn", () => resolve(undefined));
    child.once("error", resolve);
  });
  if (spawned) throw new Error(`socat: ${spawned.message} (tools/setup/prereqs-hut.sh installs it)`);
  const end = Date.now() + (opts.timeoutMs ?? 5000);
  while (!(existsSync(port) && existsSync(device))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`socat for ${port} exited (${child.exitCode ?? child.signalCode}): ${diagnostics()}`);
    if (Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error(`timed out waiting for socat links ${port}, ${device} (${diagnostics()})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (opts.detached) child.unref();
  return { port, device, pid: child.pid!, child };
}
