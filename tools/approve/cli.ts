import { relative } from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../../stacks/config/index.ts";
import { ROOT } from "../plan/run.ts";
import { ApproveError, approve } from "./approve.ts";
import { approveRepository } from "./repository.ts";

/**
 * npm run approve -- --stack <name> [--config-file <path>] [--check] [--verbose]
 * npm run approve -- --repository [--check]   (workflow triggers/permissions, dependencies: docs/governance.md)
 * Exit codes: 0 written / up to date, 1 --check found unapproved differences, 2 config or program error.
 */
const program = new Command()
  .name("approve")
  .description("fingerprint the stack's IAM, secret and identity-federation resources into policies/approvals/<stack>.json")
  .option("--stack <name>", "stack to approve (Pulumi.<name>.yaml)")
  .option("--repository", "approve the repository's workflow triggers/permissions and dependencies (policies/approvals/repository.json)")
  .option("--config-file <path>", "stack config file instead of Pulumi.<stack>.yaml")
  .option("--check", "do not write; exit 1 when the file is not up to date")
  .option("--verbose", "print stack traces")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

async function main(): Promise<number> {
  try {
    program.parse(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const o = program.opts<{ stack?: string; repository?: boolean; configFile?: string; check?: boolean; verbose?: boolean }>();
  if ((o.stack === undefined) === (o.repository !== true)) {
    process.stderr.write("approve: give exactly one of --stack <name> or --repository\n");
    return 2;
  }
  if (o.repository) return repository(o.check === true, o.verbose === true);
  const stack = o.stack as string;
  try {
    const r = await approve({ stack, ...(o.configFile ? { configFile: o.configFile } : {}), check: o.check === true });
    const file = relative(process.cwd(), r.file);
    for (const line of r.changes) process.stdout.write(`${line}\n`);
    if (o.check) {
      process.stdout.write(r.code === 0 ? `${file} is up to date\n` : `${file} is out of date: run npm run approve -- --stack ${stack}\n`);
    } else {
      process.stdout.write(r.changes.length === 0 ? `${file} unchanged\n` : `wrote ${file}: commit it for CODEOWNERS review\n`);
    }
    return r.code;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ApproveError) {
      process.stderr.write(`${err.message}\n`);
    } else {
      process.stderr.write(`approve failed: ${(err as Error).message}\n`);
    }
    if (o.verbose) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return 2;
  }
}

function repository(check: boolean, verbose: boolean): number {
  try {
    const r = approveRepository(ROOT, check);
    const file = relative(process.cwd(), r.file);
    for (const line of r.changes) process.stdout.write(`${line}\n`);
    if (check) process.stdout.write(r.code === 0 ? `${file} is up to date\n` : `${file} is out of date: run npm run approve -- --repository\n`);
    else process.stdout.write(`wrote ${file}: commit it for CODEOWNERS review\n`);
    return r.code;
  } catch (err) {
    process.stderr.write(`approve failed: ${(err as Error).message}\n`);
    if (verbose) process.stderr.write(`${(err as Error).stack ?? ""}\n`);
    return 2;
  }
}

process.exitCode = await main();
