import { relative } from "node:path";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../../stacks/config/index.ts";
import { ApproveError, approve } from "./approve.ts";

/**
 * npm run approve -- --stack <name> [--config-file <path>] [--check] [--verbose]
 * Exit codes: 0 written / up to date, 1 --check found unapproved differences, 2 config or program error.
 */
const program = new Command()
  .name("approve")
  .description("fingerprint the stack's IAM, secret and identity-federation resources into policies/approvals/<stack>.json")
  .requiredOption("--stack <name>", "stack to approve (Pulumi.<name>.yaml)")
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
  const o = program.opts<{ stack: string; configFile?: string; check?: boolean; verbose?: boolean }>();
  try {
    const r = await approve({ stack: o.stack, ...(o.configFile ? { configFile: o.configFile } : {}), check: o.check === true });
    const file = relative(process.cwd(), r.file);
    for (const line of r.changes) process.stdout.write(`${line}\n`);
    if (o.check) {
      process.stdout.write(r.code === 0 ? `${file} is up to date\n` : `${file} is out of date: run npm run approve -- --stack ${o.stack}\n`);
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

process.exitCode = await main();
