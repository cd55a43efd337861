import { constants, existsSync, openSync } from "node:fs";
import { ReadStream, isatty } from "node:tty";
import { runQuiet } from "./proc.ts";

/**
 * Serial monitor without native modules: `stty -F <port> <baud> raw -echo` configures the line,
 * then the port is read through node's non-blocking tty stream until the pattern matches
 * (against a rolling 64 KiB window, so a match split across reads still counts) or the time
 * limit passes.
 */

export interface MonitorOptions {
  port: string;
  baud: number;
  pattern: RegExp;
  timeoutMs: number;
  /** Serial data as it arrives (for logs). */
  onData?: (text: string) => void;
  signal?: AbortSignal;
}

export interface MonitorResult {
  status: "matched" | "timeout" | "interrupted";
  match?: string;
  elapsedMs: number;
}

const WINDOW = 64 * 1024;

export class SerialError extends Error {}

export async function configurePort(port: string, baud: number): Promise<void> {
  if (!existsSync(port)) throw new SerialError(`serial port ${port} does not exist (board unplugged?)`);
  const r = await runQuiet("stty", ["-F", port, String(baud), "raw", "-echo"]);
  if (r.status !== 0) throw new SerialError(`stty -F ${port} ${baud} failed: ${r.stderr || `status ${r.status}`}`);
}

export async function monitor(o: MonitorOptions): Promise<MonitorResult> {
  const started = Date.now();
  await configurePort(o.port, o.baud);
  const fd = openSync(o.port, constants.O_RDONLY | constants.O_NOCTTY);
  if (!isatty(fd)) throw new SerialError(`${o.port} is not a tty`);
  const stream = new ReadStream(fd);
  let buf = "";
  return await new Promise<MonitorResult>((resolve, reject) => {
    let done = false;
    const finish = (r: MonitorResult | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      stream.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const elapsed = () => Date.now() - started;
    const timer = setTimeout(() => finish({ status: "timeout", elapsedMs: elapsed() }), Math.max(0, o.timeoutMs - elapsed()));
    const onAbort = () => finish({ status: "interrupted", elapsedMs: elapsed() });
    o.signal?.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      o.onData?.(text);
      buf = (buf + text).slice(-WINDOW);
      const m = o.pattern.exec(buf);
      if (m) finish({ status: "matched", match: m[0], elapsedMs: elapsed() });
    });
    stream.on("error", (err: NodeJS.ErrnoException) => {
      // EIO: the device went away (USB unplug, pty peer closed).
      finish(new SerialError(`reading ${o.port}: ${err.code ?? err.message}`));
    });
  });
}
