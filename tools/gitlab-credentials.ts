/**
 * Writes a role's GitLab credentials env file (GITLAB_HOST, GITLAB_USER, GITLAB_PAT) to
 * `${XDG_CONFIG_HOME:-$HOME/.config}/labfleet/credentials/gitlab/<host>/<role>.env` (dirs 0700,
 * file 0600).
 * Design notes: docs/design/tools.md ("tools/gitlab-credentials.ts").
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { writeRoleEnv } from "../components/gitlab/env-file.ts";
import { ROLES, type Role } from "../components/gitlab/roles.ts";

class UsageError extends Error {}

function roleArg(v: string): Role {
  if (!(ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${ROLES.join(", ")}`);
  return v as Role;
}

/** The role's env text out of either the env text itself or the `gitlabRoleEnv` JSON map. */
export function pickRoleEnv(input: string, role: Role): string {
  const t = input.trim();
  if (!t.startsWith("{")) return input;
  let map: unknown;
  try {
    map = JSON.parse(t);
  } catch {
    throw new UsageError("input looks like JSON but does not parse");
  }
  const text = (map as Record<string, unknown>)[role];
  if (typeof text !== "string" || text === "") throw new UsageError(`gitlabRoleEnv has no credentials for role ${role} yet (run pulumi up first)`);
  return text;
}

function fromStack(stack: string | undefined): string {
  const args = ["stack", "output", "gitlabRoleEnv", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])];
  try {
    return execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`pulumi ${args.join(" ")} failed${stderr ? `: ${stderr.split("\n")[0]}` : ""}`);
  }
}

export function main(argv: string[]): number {
  const program = new Command("gitlab-credentials")
    .description("write a role's GitLab credentials env file (0600) from the stack output gitlabRoleEnv")
    .requiredOption("--role <role>", `agent role: ${ROLES.join(", ")}`, roleArg)
    .option("--stack <name>", "Pulumi stack to read gitlabRoleEnv from")
    .option("--stdin", "read the env text (or the gitlabRoleEnv JSON) from stdin instead of pulumi")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(argv, { from: "user" });
    const opts = program.opts<{ role: Role; stack?: string; stdin?: boolean }>();
    const raw = opts.stdin ? readFileSync(0, "utf8") : fromStack(opts.stack);
    const path = writeRoleEnv(opts.role, pickRoleEnv(raw, opts.role));
    process.stdout.write(`${path}\n`);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`gitlab-credentials: ${message}\n`);
    return err instanceof UsageError || /^role env:|unknown role/.test(message) ? 2 : 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = main(process.argv.slice(2));
}
