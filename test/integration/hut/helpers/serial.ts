import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { startSocatPty } from "../../../../hardware/sim/pty.ts";

/**
 * A pty pair from socat (hardware/sim/pty.ts): the "port" end is linked at a fake by-id path
 * (what hut opens), the "device" end is where the fake board writes.
 */
export interface PtyPair {
  port: string;
  device: string;
  write(text: string): void;
  close(): Promise<void>;
}

export async function ptyPair(byIdDir: string, name: string): Promise<PtyPair> {
  const { port, device, child: proc } = await startSocatPty(join(byIdDir, name), join(byIdDir, "..", `${name}.device`));
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

/** The lab app's boot output, as a simulated board prints it. */
export const BOOT_BANNER = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nlab-node v1.4.2 ready\r\n";

/** A simulated board that keeps printing its boot banner every `everyMs`; returns stop(). */
export function bootingBoard(pty: PtyPair, everyMs = 200): () => void {
  const t = setInterval(() => pty.write(BOOT_BANNER), everyMs);
  return () => clearInterval(t);
}
