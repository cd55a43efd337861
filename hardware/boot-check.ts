import type { SlotConfig } from "./schema/inventory.ts";
import { monitor } from "./serial.ts";

/**
 * The boot check after a flash: reset the board (hardware/serial.ts; reading starts first) and
 * read its serial port until the slot's `boot.expect` pattern appears or `boot.timeoutSeconds`
 * pass. A board that does not print it did not boot the image.
 */

export interface BootResult {
  boot: "ok" | "timeout";
  /** The serial line the pattern matched on. */
  boot_line: string | null;
  /** Whether hut reset the board: `unsupported` on a port without modem lines (a pty). */
  reset: "done" | "unsupported" | "no";
}

export async function bootCheck(o: { slot: SlotConfig; port: string; signal?: AbortSignal; onData?: (text: string) => void }): Promise<BootResult> {
  const r = await monitor({
    port: o.port,
    baud: o.slot.boot.baud,
    pattern: new RegExp(o.slot.boot.expect),
    timeoutMs: o.slot.boot.timeoutSeconds * 1000,
    reset: true,
    onData: o.onData,
    signal: o.signal,
  });
  return { boot: r.status === "matched" ? "ok" : "timeout", boot_line: r.line ?? null, reset: r.reset };
}
