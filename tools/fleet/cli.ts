import { Command, Option } from "commander";
import { runCli } from "../../hardware/cli/usage.ts";
import { registerCollectLogs } from "./collect-logs.ts";
import { registerRollout } from "./rollout.ts";
import { registerStatus } from "./status.ts";

/**
 * The `fleet` CLI (docs/runbooks/fleet.md; design in docs/design/fleet.md): status, rolling
 * rollout and log collection for the mesh's agents. It lives in tools/ because it drives the
 * components' fleet code (components/fleet/) and the WireGuard hub's transport, which the
 * hardware layer may not import. Exit codes: 0 ok · 1 a host is down or failed · 2 bad flag,
 * inventory or variable (named).
 */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("fleet")
    .description("the lab's agents over the WireGuard mesh: status, rolling rollout, log collection")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  const common = (c: Command) =>
    c
      .addOption(new Option("--inventory <file>", "inventory (YAML/JSON); default $FLEET_INVENTORY"))
      .addOption(new Option("--host <name...>", "only these hosts (peer names)"));
  registerStatus(program, common, setExit);
  registerRollout(program, common, setExit);
  registerCollectLogs(program, common, setExit);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ outputError: (str, write) => write(str) });
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli("fleet", buildProgram, argv);
}
