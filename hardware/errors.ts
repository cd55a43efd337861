/**
 * Error classes the CLI maps to exit codes. Messages are user-facing: they name the offending
 * flag or key and never contain credentials.
 */

/** Exit codes of the `hut` CLI (docs/runbooks/hut.md, "Quick reference"). */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** `hut fetch`: the artifact store has no build for the commit (or not for the chip). */
  noBuild: 3,
  /** EX_TEMPFAIL: the lock was not acquired within `--wait`. */
  lockTimeout: 75,
} as const;

/** Bad flag, bad inventory, bad invocation: exit 2, message names the flag or key. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The lock was not acquired within the allowed wait. */
export class LockTimeoutError extends Error {
  readonly exitCode = EXIT.lockTimeout;
  constructor(
    readonly lockPath: string,
    readonly waitSeconds: number,
    /** Who holds it (hardware/holders.ts, describeHolder). */
    readonly holder?: string,
  ) {
    super(`lock ${lockPath} not acquired within ${waitSeconds}s${holder ? `: held by ${holder}` : ""}`);
    this.name = "LockTimeoutError";
  }
}

/** The operation was interrupted by a signal (SIGINT/SIGTERM/SIGHUP) or cancellation. */
export class AbortedError extends Error {
  constructor(readonly reason: string) {
    super(`interrupted (${reason})`);
    this.name = "AbortedError";
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
