import { statSync } from "node:fs";
import type { Command } from "commander";
import { type BootResult, bootCheck } from "../../boot-check.ts";
import { UsageError } from "../../errors.ts";
import { type FlashResult, esptoolCommand, runEsptool, sha256File } from "../../flash.ts";
import { serialPort } from "../../inventory.ts";
import { slotLockPath, withLock } from "../../lock.ts";
import { recordJobResult } from "../../job-results.ts";
import { createProgress } from "../../progress.ts";
import { inventoryOption, sha256Hex, slotFrom, slotOption, type SlotOptions, waitOption } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

/** The JSON result: esptool's outcome plus the boot check (null when it did not run). */
type FlashReport = FlashResult & { [K in keyof BootResult]: BootResult[K] | null };
const NOT_CHECKED = { boot: null, boot_line: null, reset: null } as const;

interface FlashOptions extends SlotOptions {
  firmware: string;
  sha256?: string;
  json?: boolean;
  wait?: number;
}

/** `hut flash --slot <id> --firmware <file> [--sha256 <hex>] [--json]`. */
export function registerFlash(program: Command, setExit: (code: number) => void) {
  program
    .command("flash")
    .description("write a firmware image to the slot's board with esptool (v5)")
    .addOption(slotOption())
    .requiredOption("--firmware <file>", "firmware image")
    .option("--sha256 <hex>", "expected sha256 of the image; checked before the port is touched", sha256Hex)
    .option("--json", "print the result as JSON")
    .addOption(waitOption())
    .addOption(inventoryOption())
    .action(async (opts: FlashOptions) => {
      const { slot } = slotFrom(opts);
      const st = statSync(opts.firmware, { throwIfNoEntry: false });
      if (!st?.isFile()) throw new UsageError(`--firmware: ${opts.firmware} is not a readable file`);
      const print = (r: FlashReport) => {
        recordJobResult({ kind: "flash", ...r });
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`${r.slot}: ${r.status}: ${r.message}\n`);
        setExit(r.status === "ok" ? 0 : 1);
      };
      // 1. The image is checked before anything touches the port (or even waits for the lock).
      const sha256 = await sha256File(opts.firmware);
      if (opts.sha256 && opts.sha256 !== sha256) {
        return print({
          slot: slot.id,
          status: "sha_mismatch",
          sha256,
          exitCode: null,
          verified: false,
          message: `sha256 of ${opts.firmware} is ${sha256}, expected ${opts.sha256}; esptool not started`,
          ...NOT_CHECKED,
        });
      }
      const port = serialPort(slot);
      const esptool = esptoolCommand();
      // 2. Holding the slot lock: esptool with --port <by-id path> and --chip from the slot,
      // 3. then the boot check: reset, read serial until the slot's boot pattern.
      const result = await withLock(slotLockPath(slot.id), { waitSeconds: opts.wait, signal: shutdownSignal }, async (): Promise<FlashReport> => {
        const written = await runEsptool({
          slot,
          port,
          firmware: opts.firmware,
          sha256,
          esptool,
          progress: createProgress(`${slot.id}: writing`),
          log: (line) => process.stderr.write(`${line}\n`),
          signal: shutdownSignal,
        });
        if (written.status !== "ok") return { ...written, ...NOT_CHECKED };
        const booted = await bootCheck({ slot, port, signal: shutdownSignal, onData: (text) => process.stderr.write(text) });
        if (booted.boot === "ok") return { ...written, ...booted, message: `${written.message}; booted: ${booted.boot_line}` };
        const noReset = booted.reset === "unsupported" ? " (port has no modem lines: not reset)" : "";
        return {
          ...written,
          ...booted,
          status: "failed",
          message: `${written.message}, but the board did not print /${slot.boot.expect}/ within ${slot.boot.timeoutSeconds}s after the reset${noReset}`,
        };
      });
      print(result);
    });
}
