import { Command } from "commander";
import { AbortedError, EXIT, LockTimeoutError } from "../errors.ts";
import { HaError } from "../relay.ts";
import { SerialError } from "../serial.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerFetch } from "./commands/fetch.ts";
import { registerFlash } from "./commands/flash.ts";
import { registerHandoff } from "./commands/handoff.ts";
import { registerLane } from "./commands/lane.ts";
import { registerLock } from "./commands/lock.ts";
import { registerMonitor } from "./commands/monitor.ts";
import { registerPowerCycle } from "./commands/power-cycle.ts";
import { registerRun } from "./commands/run.ts";
import { registerSlots } from "./commands/slots.ts";
import { registerWho } from "./commands/who.ts";
import { installSignalHandlers, interruptedStatus } from "./shutdown.ts";
import { runCli } from "./usage.ts";

/**
 * The `hut` CLI (docs/runbooks/hut.md, "Quick reference"; design in docs/design/hut.md).
 * Exit codes: 0 ok · 1 operation failed · 2 bad flag, inventory or invocation (the flag/key is
 * named) · 3 no build for the commit/chip (fetch) · 75 lock not acquired within --wait · 128+n on
 * signal n.
 */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("hut")
    .description("hardware-under-test slots: locks, relay power-cycles, flashing, serial monitor, ws2 jobs")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  registerLock(program, setExit);
  registerPowerCycle(program, setExit);
  registerFlash(program, setExit);
  registerFetch(program, setExit);
  registerMonitor(program, setExit);
  registerRun(program, setExit);
  registerSlots(program, setExit);
  registerWho(program, setExit);
  registerDoctor(program, setExit);
  registerHandoff(program, setExit);
  registerLane(program, setExit);
  const all = (cmds: readonly Command[]): Command[] => cmds.flatMap((c) => [c, ...all(c.commands)]);
  for (const cmd of all(program.commands)) cmd.exitOverride().configureOutput({ outputError: (str, write) => write(str) });
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  installSignalHandlers();
  return runCli("hut", buildProgram, argv, hutExitCode);
}

/** hut's own exit codes: 75 for a lock not acquired in time, 128+n when interrupted. */
function hutExitCode(err: unknown): number | undefined {
  if (err instanceof LockTimeoutError) {
    process.stderr.write(`hut: ${err.message}\n`);
    return EXIT.lockTimeout;
  }
  if (err instanceof AbortedError || (err as Error)?.name === "AbortError") {
    process.stderr.write("hut: interrupted\n");
    return interruptedStatus();
  }
  if (err instanceof HaError || err instanceof SerialError) {
    process.stderr.write(`hut: ${err.message}\n`);
    return EXIT.failed;
  }
  if (process.env.HUT_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  return undefined;
}
