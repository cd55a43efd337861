import type { Command } from "commander";
import { LockTimeoutError } from "../../errors.ts";
import { serialPort } from "../../inventory.ts";
import { slotLockPath, withLock } from "../../lock.ts";
import { monitor } from "../../serial.ts";
import { intInRange, inventoryOption, positiveNumber, regex, slotFrom, slotOption, type SlotOptions } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

interface MonitorOptions extends SlotOptions {
  expect: RegExp;
  timeout: number;
  baud: number;
  json?: boolean;
  reset?: boolean;
}

/**
 * `hut monitor --slot <id> --expect <regex> [--timeout <s>] [--baud <n>] [--reset] [--json]`: exit
 * 0 on a match, 1 on timeout. Opening the port never resets the board (DTR/RTS deasserted,
 * hardware/serial.ts); `--reset` resets it once reading has started. Serial data is copied to
 * stderr. The slot lock is part of the time budget: waiting for it longer than --timeout exits 75.
 */
export function registerMonitor(program: Command, setExit: (code: number) => void) {
  program
    .command("monitor")
    .description("read the slot's serial port until a pattern appears")
    .addOption(slotOption())
    .requiredOption("--expect <regex>", "JavaScript regular expression to wait for", regex)
    .option("--timeout <s>", "give up after this many seconds (exit 1)", positiveNumber, 30)
    .option("--baud <n>", "serial baud rate", intInRange(50, 4_000_000), 115200)
    .option("--reset", "reset the board (EN pulse) once the port is open, capturing its boot output from the first byte")
    .option("--json", 'print { "slot", "status", "match", "line", "elapsedSec", "lines", "reset" }')
    .addOption(inventoryOption())
    .action(async (opts: MonitorOptions) => {
      const { slot } = slotFrom(opts);
      const port = serialPort(slot);
      const started = Date.now();
      const result = await withLock(slotLockPath(slot.id), { waitSeconds: opts.timeout, signal: shutdownSignal }, () =>
        monitor({
          port,
          baud: opts.baud,
          pattern: opts.expect,
          timeoutMs: opts.timeout * 1000 - (Date.now() - started),
          reset: opts.reset === true,
          onData: (text) => process.stderr.write(text),
          signal: shutdownSignal,
        }),
      ).catch((err) => {
        if (err instanceof LockTimeoutError) throw new LockTimeoutError(err.lockPath, opts.timeout, err.holder);
        throw err;
      });
      if (result.reset === "unsupported") process.stderr.write(`hut: ${port} has no modem control lines (a pty?): not reset\n`);
      const out = {
        slot: slot.id,
        status: result.status,
        match: result.match ?? null,
        line: result.line ?? null,
        elapsedSec: (Date.now() - started) / 1000,
        lines: result.lines,
        reset: result.reset,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
      else if (result.status === "matched") process.stdout.write(`${slot.id}: matched ${JSON.stringify(result.match)} after ${out.elapsedSec.toFixed(1)}s\n`);
      else process.stdout.write(`${slot.id}: ${result.status}: no match for /${opts.expect.source}/ within ${opts.timeout}s\n`);
      setExit(result.status === "matched" ? 0 : 1);
    });
}
