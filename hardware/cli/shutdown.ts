import { constants } from "node:os";
import { killAllGroups } from "../proc.ts";

/**
 * SIGINT/SIGTERM/SIGHUP abort `shutdownSignal` (reason: the signal name); commands stop their
 * children and exit 128+n. A second signal kills every child group and exits at once.
 */

const controller = new AbortController();
export const shutdownSignal: AbortSignal = controller.signal;
let installed = false;

export function installSignalHandlers() {
  if (installed) return;
  installed = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) {
        killAllGroups("SIGKILL");
        process.exit(signalStatus(sig));
      }
      controller.abort(sig);
    });
  }
}

export function signalStatus(sig: string): number {
  return 128 + (constants.signals[sig as NodeJS.Signals] ?? 0);
}

/** The exit status for an interrupted command (128 + signal number). */
export function interruptedStatus(): number {
  return signalStatus(String(shutdownSignal.reason ?? "SIGTERM"));
}
