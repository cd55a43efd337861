import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { autoDetect } from "@serialport/bindings-cpp";

/**
 * Serial monitor on the slot's port, through @serialport/bindings-cpp (termios and the modem
 * control lines via ioctl).
 * Design notes: docs/design/hut.md ("hardware/serial.ts").
 */

export interface SerialLinesPort {
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number }>;
  set(options: { dtr: boolean; rts: boolean }): Promise<void>;
  /** Discards data received before (tcflush). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Opens `path` at `baudRate` without HUPCL; the default is @serialport/bindings-cpp. */
export type PortOpener = (path: string, baudRate: number) => Promise<SerialLinesPort>;

export const openWithBindings: PortOpener = (path, baudRate) => autoDetect().open({ path, baudRate, hupcl: false });

export interface MonitorOptions {
  port: string;
  baud: number;
  pattern: RegExp;
  timeoutMs: number;
  /** Reset the board (EN pulse) once reading has started. */
  reset?: boolean;
  /** Serial data as it arrives (for logs). */
  onData?: (text: string) => void;
  signal?: AbortSignal;
  opener?: PortOpener;
}

export type LinesState = "deasserted" | "unsupported";

export interface MonitorResult {
  status: "matched" | "timeout" | "interrupted";
  match?: string;
  /** The whole line the match is on (without CR/LF). */
  line?: string;
  elapsedMs: number;
  /** DTR/RTS after opening: both deasserted, or no modem lines (a pty). */
  lines: LinesState;
  /** Whether the board was reset: `done`, `unsupported` (no lines), or `no` (not asked). */
  reset: "done" | "unsupported" | "no";
}

const WINDOW = 64 * 1024;
/** After a match, how long to wait for the rest of its line. */
const LINE_GRACE_MS = 250;
/** EN held low this long: esptool's classic reset uses 100 ms. */
export const RESET_PULSE_MS = 100;

export class SerialError extends Error {}

function noModemLines(err: unknown): boolean {
  return /Inappropriate ioctl|ENOTTY|EINVAL|Invalid argument/i.test(String((err as Error)?.message ?? err));
}

/** Sets DTR/RTS together; `false` when the port has no modem lines. */
async function setLines(p: SerialLinesPort, port: string, dtr: boolean, rts: boolean): Promise<boolean> {
  try {
    await p.set({ dtr, rts });
    return true;
  } catch (err) {
    if (noModemLines(err)) return false;
    throw new SerialError(`setting DTR/RTS on ${port}: ${(err as Error).message}`);
  }
}

/** Opens the port and deasserts DTR and RTS at once (see the module comment). */
export async function openPort(port: string, baud: number, opener: PortOpener = openWithBindings): Promise<{ handle: SerialLinesPort; lines: LinesState }> {
  if (!existsSync(port)) throw new SerialError(`serial port ${port} does not exist (board unplugged?)`);
  let handle: SerialLinesPort;
  try {
    handle = await opener(port, baud);
  } catch (err) {
    throw new SerialError(`opening ${port}: ${(err as Error).message}`);
  }
  const ok = await setLines(handle, port, false, false)
    .then(async (set) => {
      // Bytes queued before this open are not part of the capture.
      await handle.flush();
      return set;
    })
    .catch(async (err) => {
      await handle.close().catch(() => undefined);
      throw err instanceof SerialError ? err : new SerialError(`opening ${port}: ${(err as Error).message}`);
    });
  return { handle, lines: ok ? "deasserted" : "unsupported" };
}

/** EN low (RTS asserted) with GPIO0 high (DTR deasserted), then both released: a normal boot. */
export async function resetBoard(handle: SerialLinesPort, port: string): Promise<boolean> {
  if (!(await setLines(handle, port, false, true))) return false;
  await sleep(RESET_PULSE_MS);
  return setLines(handle, port, false, false);
}

function lineAround(buf: string, index: number, length: number): string {
  const start = buf.lastIndexOf("\n", index) + 1;
  const nl = buf.indexOf("\n", index + length);
  return buf.slice(start, nl < 0 ? undefined : nl).replace(/\r/g, "");
}

export async function monitor(o: MonitorOptions): Promise<MonitorResult> {
  const started = Date.now();
  const { handle, lines } = await openPort(o.port, o.baud, o.opener);
  const elapsed = () => Date.now() - started;
  let done = false;
  let reset: MonitorResult["reset"] = "no";
  let buf = "";
  /** Characters received so far; `buf` holds the last WINDOW of them. */
  let total = 0;
  let matched: { match: string; start: number; end: number; elapsedMs: number } | undefined;
  const endWithLine = () => {
    if (!matched) return;
    const at = matched.start - (total - buf.length);
    finish({ status: "matched", match: matched.match, line: lineAround(buf, Math.max(0, at), matched.match.length), elapsedMs: matched.elapsedMs });
  };
  let resolveEnd!: (r: Omit<MonitorResult, "lines" | "reset"> | Error) => void;
  const ended = new Promise<Omit<MonitorResult, "lines" | "reset"> | Error>((r) => {
    resolveEnd = r;
  });
  const finish = (r: Omit<MonitorResult, "lines" | "reset"> | Error) => {
    if (done) return;
    done = true;
    resolveEnd(r);
  };
  const timer = setTimeout(() => finish({ status: "timeout", elapsedMs: elapsed() }), Math.max(0, o.timeoutMs - elapsed()));
  const onAbort = () => finish({ status: "interrupted", elapsedMs: elapsed() });
  o.signal?.addEventListener("abort", onAbort, { once: true });

  // Reading starts before any reset, so the capture holds the boot output from its first byte.
  const reader = (async () => {
    const chunk = Buffer.alloc(4096);
    while (!done) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length);
      if (done || bytesRead === 0) continue;
      const text = chunk.subarray(0, bytesRead).toString("utf8");
      o.onData?.(text);
      total += text.length;
      buf = (buf + text).slice(-WINDOW);
      if (matched) {
        if (buf.includes("\n", matched.end - (total - buf.length))) endWithLine();
        continue;
      }
      const m = o.pattern.exec(buf);
      if (!m) continue;
      // Remember where the match is (as an offset in the whole stream), then finish once its
      // line is complete — or LINE_GRACE_MS later with the part that came.
      matched = { match: m[0], start: total - buf.length + m.index, end: total - buf.length + m.index + m[0].length, elapsedMs: elapsed() };
      if (buf.includes("\n", m.index + m[0].length)) endWithLine();
      else setTimeout(endWithLine, LINE_GRACE_MS);
    }
  })().catch((err: Error) => {
    // EIO: the device went away (USB unplug, pty peer closed); a read cancelled by close is ours.
    if (!done) finish(new SerialError(`reading ${o.port}: ${err.message}`));
  });
  try {
    if (o.reset) reset = (await resetBoard(handle, o.port)) ? "done" : "unsupported";
  } catch (err) {
    finish(err as Error);
  }
  const r = await ended;
  clearTimeout(timer);
  o.signal?.removeEventListener("abort", onAbort);
  await handle.close().catch(() => undefined);
  void reader;
  if (r instanceof Error) throw r;
  return { ...r, lines, reset };
}
