import type { Command } from "commander";
import { HELD_ENV, heldLocksEnv, slotLockPath, withLock } from "../../lock.ts";
import { spawnGroup } from "../../proc.ts";
import { inventoryOption, slotFrom, slotOption, type SlotOptions, waitOption } from "../options.ts";
import { shutdownSignal } from "../shutdown.ts";

interface LockOptions extends SlotOptions {
  wait?: number;
}

/** `hut lock --slot <id> [--wait <s>] -- <command…>`: the command's status, or 75. */
export function registerLock(program: Command, setExit: (code: number) => void) {
  program
    .command("lock")
    .description("run a command holding the slot's exclusive lock")
    .addOption(slotOption())
    .addOption(waitOption())
    .addOption(inventoryOption())
    .argument("<command...>", "command and arguments (after --)")
    .action(async (command: string[], opts: LockOptions) => {
      const { slot } = slotFrom(opts);
      const path = slotLockPath(slot.id);
      const status = await withLock(path, { waitSeconds: opts.wait, signal: shutdownSignal }, async (lock) => {
        const [cmd, ...args] = command as [string, ...string[]];
        const g = spawnGroup(cmd, args, {
          stdio: "inherit",
          env: { ...process.env, [HELD_ENV]: heldLocksEnv(lock), HUT_SLOT: slot.id },
        });
        // Forward SIGINT/SIGTERM/SIGHUP to the command's group, then report its status.
        const forward = () => g.signal(String(shutdownSignal.reason) as NodeJS.Signals);
        shutdownSignal.addEventListener("abort", forward, { once: true });
        const exit = await g.exited;
        shutdownSignal.removeEventListener("abort", forward);
        if (exit.error) process.stderr.write(`hut lock: cannot run ${cmd}: ${exit.error.message}\n`);
        return exit.status;
      });
      setExit(status);
    });
}
