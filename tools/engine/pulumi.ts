/**
 * Running the real Pulumi CLI set up by tools/setup/prereqs-engine.sh (docs/engine.md): one home
 * for its environment (private PULUMI_HOME, file backend, passphrase secrets, nothing downloaded at
 * run time) and for invoking it, shared by `npm run lab`, test/engine and the bench.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const ENGINE_DIR = process.env.LABFLEET_ENGINE_DIR ?? join(ROOT, ".engine");
export const ENGINE_BIN = join(ENGINE_DIR, "bin");

export interface EngineContext {
  /** Directory of the file backend (`file://…`); created 0700. */
  backendDir: string;
  /** Passphrase of the stacks' passphrase secrets provider. */
  passphrase: string;
  /** Project directory (Pulumi.yaml); the repository root by default. */
  cwd?: string;
  /** Extra environment for the CLI and everything it starts (language host, providers). */
  env?: NodeJS.ProcessEnv;
}

export interface PulumiResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Provisions the engine when needed (build, shims); throws with the script's output on failure. */
export function ensureEngine(): void {
  const r = spawnSync("bash", [join(ROOT, "tools/setup/prereqs-engine.sh")], { stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) throw new Error(`engine set-up failed (exit ${r.status}): see the output above`);
}

export function pulumiEnv(ctx: EngineContext): NodeJS.ProcessEnv {
  mkdirSync(ctx.backendDir, { recursive: true, mode: 0o700 });
  const home = join(ENGINE_DIR, "home");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return {
    ...process.env,
    ...ctx.env,
    PATH: `${ENGINE_BIN}:${process.env.PATH ?? ""}`,
    PULUMI_HOME: home,
    PULUMI_BACKEND_URL: `file://${ctx.backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: ctx.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
  };
}

interface RunOptions {
  stdin?: string;
  timeoutMs?: number;
  echo?: boolean;
}

/** Runs a command to completion, collecting its output; never throws on a non-zero exit. */
export function runCollect(cmd: string, args: readonly string[], spawnOpts: { cwd: string; env: NodeJS.ProcessEnv }, opts: RunOptions = {}): Promise<PulumiResult> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { ...spawnOpts, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b;
      if (opts.echo) process.stdout.write(b);
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b;
      if (opts.echo) process.stderr.write(b);
    });
    const timer = setTimeout(() => child.kill("SIGINT"), opts.timeoutMs ?? 600_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.end(opts.stdin ?? "");
  });
}

/** Runs `pulumi <args>` to completion; never throws on a non-zero exit (the caller asserts it). */
export function pulumi(ctx: EngineContext, args: readonly string[], opts: RunOptions = {}): Promise<PulumiResult> {
  return runCollect(join(ENGINE_BIN, "pulumi"), [...args, "--non-interactive", "--color", "never"], { cwd: ctx.cwd ?? ROOT, env: pulumiEnv(ctx) }, opts);
}

/** Like {@link pulumi} but throws, naming the command and its output, when it exits non-zero. */
export async function pulumiOk(ctx: EngineContext, args: readonly string[], opts: RunOptions = {}): Promise<PulumiResult> {
  const r = await pulumi(ctx, args, opts);
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

/** Selects `stack`, creating it (passphrase secrets provider) when the backend lacks it. */
export async function selectStack(ctx: EngineContext, stack: string): Promise<void> {
  const sel = await pulumi(ctx, ["stack", "select", stack]);
  if (sel.code === 0) return;
  await pulumiOk(ctx, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
}

/**
 * A project directory whose program is this repository's, with stack config files of its own: every
 * top-level entry of the repository is linked in except its `Pulumi.<stack>.yaml` files, so the
 * engine can deploy a derived stack (the lab's, a test's sandbox) without writing a committed file.
 */
export function linkWorkspace(dir: string, stackFiles: Record<string, string>): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(ROOT)) {
    if (/^Pulumi\..+\.yaml$/.test(entry) || entry.startsWith(".")) continue;
    const link = join(dir, entry);
    if (!existsSync(link)) symlinkSync(join(ROOT, entry), link);
  }
  for (const [stack, text] of Object.entries(stackFiles)) {
    const file = join(dir, `Pulumi.${stack}.yaml`);
    // keep the secrets provider's salt and any secret a previous run set
    writeFileSync(file, mergeStackFile(existsSync(file) ? readFileSync(file, "utf8") : "", text), { mode: 0o600 });
  }
  return dir;
}

/** The new stack file's config, plus the old one's `encryptionsalt` and the secure values it set. */
export function mergeStackFile(oldText: string, newText: string): string {
  const old = (parseYaml(oldText) ?? {}) as { encryptionsalt?: string; config?: Record<string, unknown> };
  const next = (parseYaml(newText) ?? {}) as { config?: Record<string, unknown> };
  const config = { ...next.config };
  for (const [key, value] of Object.entries(old.config ?? {})) {
    if (value && typeof value === "object" && "secure" in value && !(key in config)) config[key] = value;
  }
  return stringifyYaml({ ...(old.encryptionsalt ? { encryptionsalt: old.encryptionsalt } : {}), ...next, config });
}
