import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { type EngineContext, ROOT, ensureEngine, linkWorkspace, pulumi, pulumiOk, selectStack } from "../engine/pulumi.ts";
import { STACK, committedStackText, overlayStackText, simSpec, stackConfig } from "./overlay.ts";
import { BoardsAttachedError, LAB_DIR, ensureLabDir, haToken, labFiles, readSimState, simHealth, startSim, stopSim } from "./sim.ts";

/**
 * `npm run lab -- up|preview|down|status`: the `local` stack deployed for real with the Pulumi
 * engine against the simulated lab (tools/lab/sim.ts; docs/runbooks/local-lab.md).
 * Exit 0 ok · 1 a step failed (named) · 2 usage.
 */

const PROJECT_DIR = join(LAB_DIR, "project");
const STATE_DIR = join(LAB_DIR, "state");

class StepError extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stderr.write(`lab: ${name}…\n`);
  try {
    const r = await fn();
    process.stderr.write(`lab: ${name} done (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    return r;
  } catch (err) {
    throw err instanceof StepError ? err : new StepError(name, err);
  }
}

function passphrase(): string {
  if (process.env.LABFLEET_LAB_PASSPHRASE) return process.env.LABFLEET_LAB_PASSPHRASE;
  const file = join(LAB_DIR, "passphrase");
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

function engineContext(): EngineContext {
  const files = labFiles();
  return {
    backendDir: STATE_DIR,
    passphrase: passphrase(),
    cwd: PROJECT_DIR,
    // HutAction runs hut with the provider host's environment: the simulated esptool.
    env: { HUT_ESPTOOL: join(ROOT, "hardware/sim/fake-esptool.sh"), FAKE_ESPTOOL_LOG: files.esptoolLog },
  };
}

function prereq(script: string): void {
  const r = spawnSync("bash", [join(ROOT, "tools/setup", script)], { stdio: ["ignore", "inherit", "inherit"], timeout: 1_800_000 });
  if (r.status !== 0) throw new Error(`tools/setup/${script} exited ${r.status ?? r.signal}: see its output above`);
}

async function prerequisites(): Promise<void> {
  await step("prereqs: engine (tools/setup/prereqs-engine.sh)", () => ensureEngine());
  await step("prereqs: hut (tools/setup/prereqs-hut.sh)", () => prereq("prereqs-hut.sh"));
  await step("prereqs: wireguard (tools/setup/prereqs-wireguard.sh)", () => prereq("prereqs-wireguard.sh"));
  await step("prereqs: lxd (tools/setup/prereqs-lxd.sh)", () => prereq("prereqs-lxd.sh"));
}

/** Sim up, workspace written, stack selected with its secret set: ready for `pulumi up|preview`. */
async function prepare(): Promise<EngineContext> {
  ensureLabDir();
  await prerequisites();
  const committed = committedStackText();
  const spec = await step("read Pulumi.local.yaml", () => simSpec(committed));
  const sim = await step("start the simulated lab", () => startSim(spec));
  const text = overlayStackText(committed, sim);
  await step("validate the lab's stack config", () => stackConfig(text, { secrets: ["haToken"] }));
  const ctx = engineContext();
  await step(`workspace ${PROJECT_DIR}`, () => linkWorkspace(PROJECT_DIR, { [STACK]: text }));
  await step(`select stack ${STACK} (backend file://${STATE_DIR})`, () => selectStack(ctx, STACK));
  await step("set secret labfleet:haToken", () => pulumiOk(ctx, ["config", "set", "--secret", "labfleet:haToken", "-s", STACK], { stdin: haToken() }));
  return ctx;
}

async function stackExists(ctx: EngineContext): Promise<boolean> {
  if (!existsSync(STATE_DIR)) return false;
  const r = await pulumi(ctx, ["stack", "ls", "--json"]);
  if (r.code !== 0) return false;
  return (JSON.parse(r.stdout) as { name: string }[]).some((s) => s.name === STACK || s.name.endsWith(`/${STACK}`));
}

async function up(extra: string[]): Promise<void> {
  const ctx = await prepare();
  await step(`pulumi up -s ${STACK}`, async () => {
    const r = await pulumi(ctx, ["up", "--yes", "-s", STACK, ...extra], { echo: true, timeoutMs: 1_800_000 });
    if (r.code !== 0) throw new Error(`pulumi up exited ${r.code} (output above)`);
  });
  process.stderr.write(`lab: up. Outputs: npm run lab -- status · by hand: see docs/runbooks/local-lab.md\n`);
}

async function preview(extra: string[]): Promise<void> {
  const ctx = await prepare();
  await step(`pulumi preview -s ${STACK}`, async () => {
    const r = await pulumi(ctx, ["preview", "-s", STACK, ...extra], { echo: true, timeoutMs: 1_800_000 });
    if (r.code !== 0) throw new Error(`pulumi preview exited ${r.code} (output above)`);
  });
}

async function down(): Promise<void> {
  ensureLabDir();
  await step("prereqs: engine (tools/setup/prereqs-engine.sh)", () => ensureEngine());
  const ctx = engineContext();
  if (existsSync(join(PROJECT_DIR, `Pulumi.${STACK}.yaml`)) && (await stackExists(ctx))) {
    // The providers reach the hub and the relays through the simulation: it runs during destroy.
    const committed = committedStackText();
    const spec = await step("read Pulumi.local.yaml", () => simSpec(committed));
    const sim = await step("start the simulated lab (for destroy)", () => startSim(spec));
    await step(`workspace ${PROJECT_DIR}`, () => linkWorkspace(PROJECT_DIR, { [STACK]: overlayStackText(committed, sim) }));
    await step(`pulumi destroy -s ${STACK}`, async () => {
      const r = await pulumi(ctx, ["destroy", "--yes", "-s", STACK], { echo: true, timeoutMs: 1_800_000 });
      if (r.code !== 0) throw new Error(`pulumi destroy exited ${r.code} (output above); the simulation is left running for a retry`);
    });
  } else {
    process.stderr.write(`lab: no stack ${STACK} in file://${STATE_DIR}: nothing to destroy\n`);
  }
  const report = await step("stop the simulated lab", () => stopSim());
  for (const s of report.stopped) process.stderr.write(`lab: stopped ${s}\n`);
  if (report.problems.length > 0) throw new StepError("stop the simulated lab", new Error(report.problems.join("; ")));
}

async function status(): Promise<void> {
  const sim = readSimState();
  process.stdout.write("simulated lab:\n");
  if (!sim) process.stdout.write("  not running\n");
  else {
    const images = Object.entries(sim.firmware).map(([chip, f]) => `${chip} ${f.path} (sha256 ${f.sha256.slice(0, 12)}…)`);
    process.stdout.write(`  started ${sim.startedAt}; firmware ${images.join(", ")}\n`);
    for (const [what, ok] of Object.entries(simHealth(sim))) process.stdout.write(`  ${ok ? "up  " : "DOWN"} ${what}\n`);
  }
  if (!existsSync(join(PROJECT_DIR, `Pulumi.${STACK}.yaml`))) {
    process.stdout.write(`stack ${STACK}: never deployed by npm run lab\n`);
    return;
  }
  await step("prereqs: engine (tools/setup/prereqs-engine.sh)", () => ensureEngine());
  const ctx = engineContext();
  if (!(await stackExists(ctx))) {
    process.stdout.write(`stack ${STACK}: not in file://${STATE_DIR}\n`);
    return;
  }
  const r = await step(`pulumi stack output -s ${STACK}`, () => pulumiOk(ctx, ["stack", "output", "-s", STACK]));
  process.stdout.write(`stack ${STACK} outputs:\n${r.stdout}`);
}

const program = new Command()
  .name("lab")
  .description("The local stack, deployed for real against a simulated lab (docs/runbooks/local-lab.md)")
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });
let action: Promise<void> | undefined;
program
  .command("up")
  .description("start the simulated lab and `pulumi up --yes` the local stack (extra pulumi args after --)")
  .argument("[pulumiArgs...]", "extra `pulumi up` arguments (e.g. --skip-preview, --refresh)")
  .allowUnknownOption()
  .action((args: string[]) => {
    action = up(args);
  });
program
  .command("preview")
  .description("start the simulated lab and `pulumi preview` the local stack")
  .argument("[pulumiArgs...]", "extra `pulumi preview` arguments")
  .allowUnknownOption()
  .action((args: string[]) => {
    action = preview(args);
  });
program
  .command("down")
  .description("`pulumi destroy --yes` the local stack, then stop the simulated lab")
  .action(() => {
    action = down();
  });
program
  .command("status")
  .description("the simulated lab's pieces and the stack's outputs")
  .action(() => {
    action = status();
  });

async function main(): Promise<void> {
  try {
    program.parse(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
  if (!action) {
    program.outputHelp({ error: true });
    process.exit(2);
  }
  try {
    await action;
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`lab: error: ${e instanceof BoardsAttachedError ? `start the simulated lab: ${e.message}` : e.message}\n`);
    process.exit(1);
  }
  process.exit(0);
}

await main();
