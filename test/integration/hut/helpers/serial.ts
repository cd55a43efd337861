import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { until } from "./cli.ts";

/**
 * A pty pair from socat: the "port" end is linked at a fake by-id path (what hut opens), the
 * "device" end is where the fake board writes.
 */
export interface PtyPair {
  port: string;
  device: string;
  write(text: string): void;
  close(): Promise<void>;
}

export async function ptyPair(byIdDir: string, name: string): Promise<PtyPair> {
  mkdirSync(byIdDir, { recursive: true });
  const port = join(byIdDir, name);
  const device = join(byIdDir, "..", `${name}.device`);
  const proc: ChildProcess = spawn("socat", [`pty,raw,echo=0,link=${port}`, `pty,raw,echo=0,link=${device}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (d) => {
    err += d;
  });
  await until(() => existsSync(port) && existsSync(device), 5000, `socat links (${err})`);
  let fd: number | undefined = openSync(device, "r+");
  return {
    port,
    device,
    write(text) {
      if (fd !== undefined) writeSync(fd, text);
    },
    async close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (proc.exitCode === null) {
        const gone = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGTERM");
        await gone;
      }
    },
  };
}
