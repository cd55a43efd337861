import { Command, CommanderError } from "commander";
import { writeGraph } from "./graph.ts";
import { evaluatePolicies, loadPolicyConfig } from "./policy.ts";
import { planDocument, renderHuman } from "./render.ts";
import { runStack } from "./run.ts";

/**
 * Offline plan (docs/architecture.md, "Offline plan"): runs the real program on Pulumi's mock runtime, evaluates the policy
 * pack, prints a tree or one JSON document. Exit 0 ok · 1 mandatory violation · 2 config/program error.
 */
interface Options {
  stack: string;
  configFile?: string;
  json?: boolean;
  graph?: string;
  policyConfig?: string;
  verbose?: boolean;
}

const program = new Command()
  .name("plan")
  .description("Offline plan of a labfleet stack (no Pulumi CLI, no credentials, no network)")
  .requiredOption("--stack <name>", "stack name (reads Pulumi.<name>.yaml unless --config-file)")
  .option("--config-file <path>", "config file in Pulumi.<stack>.yaml format")
  .option("--json", "print exactly one JSON document on stdout")
  .option("--graph <file>", "write the resource graph (.dot, .mmd, .svg, .png)")
  .option("--policy-config <path>", "policy pack config (default policies/approvals/<stack>.json)")
  .option("--verbose", "stack traces on errors")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

function fail(err: unknown, verbose: boolean): never {
  const e = err as Error;
  const isConfig = e?.name === "RunError" || e?.name === "ConfigError";
  process.stderr.write(`error: ${isConfig ? e.message : (e?.message ?? String(err))}\n`);
  if (verbose && e?.stack && !isConfig) process.stderr.write(`${e.stack}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // Pulumi captures a stack trace per resource (its source position); with tsx's source maps on,
  // resolving those dominates a plan. Offline, positions are never shown: keep maps for --verbose.
  if (!process.argv.includes("--verbose")) process.setSourceMapsEnabled(false);
  try {
    program.parse(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
  const opts = program.opts<Options>();
  let run: Awaited<ReturnType<typeof runStack>>;
  let violations: Awaited<ReturnType<typeof evaluatePolicies>>;
  try {
    run = await runStack({ stack: opts.stack, configFile: opts.configFile });
    violations = await evaluatePolicies(run.resources, loadPolicyConfig(opts.stack, opts.policyConfig));
    if (opts.graph) writeGraph(opts.graph, run.resources);
  } catch (err) {
    fail(err, opts.verbose === true);
  }
  const text = opts.json ? `${JSON.stringify(planDocument(run, violations), null, 2)}\n` : renderHuman(run, violations);
  const mandatory = violations.some((v) => v.enforcementLevel === "mandatory");
  // Exit only once stdout is flushed: a pipe would otherwise lose the end of a large document.
  process.stdout.write(text, () => process.exit(mandatory ? 1 : 0));
}

await main();
