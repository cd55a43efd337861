import { type Command, CommanderError } from "commander";
import { EXIT, UsageError, errorMessage } from "../errors.ts";

/**
 * The exit code of a command-line error, shared by the `hut` and `fleet` CLIs: help/version 0;
 * a parse error (commander already printed it, naming the flag) or a UsageError (printed here as
 * `<name>: …`) 2; undefined for any other error.
 */
export function usageExitCode(err: unknown, name: string): number | undefined {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT.usage;
  if (err instanceof UsageError) {
    process.stderr.write(`${name}: ${err.message}\n`);
    return EXIT.usage;
  }
  return undefined;
}

/**
 * Runs a commander program built by `build` on `argv` and resolves to its exit code, shared by
 * the `hut` and `fleet` CLIs: the code a command set, usage errors as `usageExitCode`, errors
 * `onError` maps (a CLI's own exit codes), anything else printed as `<name>: …` with exit 1.
 */
export async function runCli(
  name: string,
  build: (setExit: (code: number) => void) => Command,
  argv: readonly string[],
  onError: (err: unknown) => number | undefined = () => undefined,
): Promise<number> {
  let code: number = EXIT.ok;
  const program = build((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    const usage = usageExitCode(err, name);
    if (usage !== undefined) return usage;
    const mapped = onError(err);
    if (mapped !== undefined) return mapped;
    process.stderr.write(`${name}: ${errorMessage(err)}\n`);
    return EXIT.failed;
  }
}
