import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type Esptool, writeFlashArgs } from "./esptool.ts";
import { spawnGroup } from "./proc.ts";
import type { Progress } from "./progress.ts";
import type { SlotConfig } from "./schema/inventory.ts";

/**
 * Flashing with esptool v4 or v5 (hardware/esptool.ts picks the syntax). The image's sha256 and
 * chip are checked before anything touches the port; esptool always gets `--port <serialById>`
 * (never a resolved /dev/ttyUSBn, which can change between plug events) and `--chip` from the
 * slot. Success needs exit 0 AND esptool's "Hash of data verified." line.
 */

export const VERIFIED_LINE = "Hash of data verified.";

export interface FlashResult {
  slot: string;
  status: "ok" | "failed" | "timeout" | "sha_mismatch";
  sha256: string;
  /** The esptool that ran (`null` when none was started). */
  esptool_version: string | null;
  exitCode: number | null;
  verified: boolean;
  message: string;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("error", reject)
      .on("data", (d) => h.update(d))
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** v5: `Writing at 0x00010000 [====   ] 40.0% 123/456 bytes...`; v4: `Writing at 0x00010000... (40 %)`. */
const PROGRESS = /Writing at 0x[0-9a-fA-F]+(?:\s*\[[^\]]*\]\s*([\d.]+)%|\.\.\. \((\d+) %\))/;

export interface FlashOptions {
  slot: SlotConfig;
  port: string;
  firmware: string;
  /** Already verified sha256 of `firmware`. */
  sha256: string;
  esptool: Esptool;
  progress?: Progress;
  /** esptool's other output lines (logs). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runEsptool(o: FlashOptions): Promise<FlashResult> {
  const [cmd, ...pre] = o.esptool.command;
  const args = [...pre, ...writeFlashArgs(o.esptool, o.slot, o.port, o.firmware)];
  const g = spawnGroup(cmd as string, args, { stdio: ["ignore", "pipe", "pipe"] });
  let verified = false;
  let tail: string[] = [];
  let partial = "";
  const onChunk = (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split(/\r\n|\r|\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) handle(line);
  };
  const handle = (raw: string) => {
    // v5 may prefix ANSI clear/line-up sequences on a terminal.
    const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
    if (line === "") return;
    const m = PROGRESS.exec(line);
    if (m) {
      o.progress?.update(Number(m[1] ?? m[2]));
      return;
    }
    if (line.includes(VERIFIED_LINE)) verified = true;
    tail = [...tail.slice(-4), line];
    o.log?.(line);
  };
  g.child.stdout?.on("data", onChunk);
  g.child.stderr?.on("data", onChunk);

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void g.terminate(2000);
  }, o.slot.flash.timeoutSeconds * 1000);
  const onAbort = () => void g.terminate(2000);
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const exit = await g.exited;
  clearTimeout(timer);
  o.signal?.removeEventListener("abort", onAbort);
  if (partial) handle(partial);
  o.progress?.stop();

  const result = (status: FlashResult["status"], message: string): FlashResult => ({
    slot: o.slot.id,
    status,
    sha256: o.sha256,
    esptool_version: o.esptool.version,
    exitCode: exit.error ? null : exit.status,
    verified,
    message,
  });
  if (exit.error) return result("failed", `cannot run ${cmd}: ${exit.error.message}`);
  if (timedOut) return result("timeout", `esptool did not finish within ${o.slot.flash.timeoutSeconds}s`);
  if (o.signal?.aborted) return result("failed", "interrupted");
  if (exit.status !== 0) return result("failed", `esptool exited with ${exit.status}: ${tail.at(-1) ?? "no output"}`);
  if (!verified) return result("failed", `esptool exited 0 but never printed "${VERIFIED_LINE}"`);
  return result("ok", `flashed ${o.firmware} (sha256 ${o.sha256.slice(0, 12)}…) to ${o.port}`);
}
