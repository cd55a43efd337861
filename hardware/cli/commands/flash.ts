import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { type BootResult, bootCheck } from "../../boot-check.ts";
import { UsageError } from "../../errors.ts";
import { checkImageChip, detectEsptool } from "../../esptool.ts";
import { type FlashResult, runEsptool, sha256File } from "../../flash.ts";
import { serialPort } from "../../inventory.ts";
import { slotLockPath, withLock } from "../../lock.ts";
import { recordJobResult } from "../../job-results.ts";
import { createProgress } from "../../progress.ts";
import { openStore } from "../../artifact-store.ts";
import { FETCH_EXIT, fetchBuild } from "../../fetch.ts";
import type { StoreLocation } from "../../schema/artifacts.ts";
import type { SlotConfig } from "../../schema/inventory.ts";
import { commitSha, inventoryOption, sha256Hex, slotFrom, slotOption, type SlotOptions, storeFrom, storeOption, waitOption } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

/** The JSON result: esptool's outcome plus the boot check (null when it did not run). */
type FlashReport = FlashResult & { [K in keyof BootResult]: BootResult[K] | null };
const NOT_CHECKED = { boot: null, boot_line: null, reset: null } as const;

interface FlashOptions extends SlotOptions {
  firmware?: string;
  sha?: string;
  store?: StoreLocation;
  sha256?: string;
  json?: boolean;
  wait?: number;
}

/**
 * `hut flash --slot <id> (--firmware <file> [--sha256 <hex>] | --sha <commit> [--store <url>]) [--json]`.
 * With `--sha` the upstream lane's build of that commit for the slot's chip is fetched first
 * (`hut fetch`, verified against its manifest) into a private temporary directory, then flashed
 * with the manifest's sha256; a failed fetch exits as `hut fetch` does (1 or 3), nothing flashed.
 */
export function registerFlash(program: Command, setExit: (code: number) => void) {
  program
    .command("flash")
    .description("write a firmware image to the slot's board with esptool (v4 or v5)")
    .addOption(slotOption())
    .option("--firmware <file>", "firmware image (or --sha)")
    .option("--sha256 <hex>", "expected sha256 of the image; checked before the port is touched", sha256Hex)
    .option("--sha <commit>", "flash the upstream build of this commit from the artifact store (instead of --firmware)", commitSha)
    .addOption(storeOption())
    .option("--json", "print the result as JSON")
    .addOption(waitOption())
    .addOption(inventoryOption())
    .action(async (opts: FlashOptions) => {
      if ((opts.firmware === undefined) === (opts.sha === undefined)) throw new UsageError("--firmware or --sha: give exactly one");
      if (opts.sha && opts.sha256) throw new UsageError("--sha256: not with --sha (the build's manifest names its sha256)");
      const { inventory, slot } = slotFrom(opts);
      if (opts.sha === undefined) return flash(opts as FlashOptions & { firmware: string }, slot, setExit);
      const tmp = mkdtempSync(join(tmpdir(), "hut-flash-"));
      try {
        const out = join(tmp, `${slot.chip}.bin`);
        const store = openStore(storeFrom(opts, process.env, inventory));
        const fetched = await fetchBuild({ store, sha: opts.sha, chip: slot.chip, out });
        if (fetched.status !== "ok") {
          if (opts.json) process.stdout.write(`${JSON.stringify({ slot: slot.id, ...fetched, status: `fetch_${fetched.status}` })}\n`);
          process.stderr.write(`hut flash: ${slot.id}: fetch ${fetched.status}: ${fetched.message}\n`);
          return setExit(FETCH_EXIT[fetched.status]);
        }
        await flash({ ...opts, firmware: out, sha256: fetched.sha256 ?? undefined }, slot, setExit);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
}

async function flash(opts: FlashOptions & { firmware: string }, slot: SlotConfig, setExit: (code: number) => void) {
      const st = statSync(opts.firmware, { throwIfNoEntry: false });
      if (!st?.isFile()) throw new UsageError(`--firmware: ${opts.firmware} is not a readable file`);
      const print = (r: FlashReport) => {
        recordJobResult({ kind: "flash", ...r });
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`${r.slot}: ${r.status}: ${r.message}\n`);
        setExit(r.status === "ok" ? 0 : 1);
      };
      // 1. The image is checked before anything touches the port (or even waits for the lock):
      //    its sha256, then (with the installed esptool) the chip it was built for.
      const sha256 = await sha256File(opts.firmware);
      if (opts.sha256 && opts.sha256 !== sha256) {
        return print({
          slot: slot.id,
          status: "sha_mismatch",
          sha256,
          esptool_version: null,
          exitCode: null,
          verified: false,
          message: `sha256 of ${opts.firmware} is ${sha256}, expected ${opts.sha256}; esptool not started`,
          ...NOT_CHECKED,
        });
      }
      const esptool = await detectEsptool();
      await checkImageChip(esptool, slot, opts.firmware);
      const port = serialPort(slot);
      // 2. Holding the slot lock: esptool with --port <by-id path> and --chip from the slot, in
      //    the syntax of its major version,
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
}
