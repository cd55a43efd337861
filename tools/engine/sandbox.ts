/**
 * A sandbox stack made from the committed `local` stack for the real engine (test/engine, the bench): its own names (hub
 * interface and namespace, LXD runner, serial links), its own simulated lab (tools/lab/sim.ts),
 * its own linked workspace, file backend and approvals file in a temp dir. Never writes a
 * committed file. Everything it starts is stopped by `dispose()` (by pid, namespace and name it
 * generated).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { type EngineContext, ensureEngine, linkWorkspace, pulumi, pulumiOk, type PulumiResult, ROOT, runCollect, selectStack } from "./pulumi.ts";
import { committedStackText, overlayStackText, simSpec } from "../lab/overlay.ts";
import { haToken, type SimState, startSim, stopSim } from "../lab/sim.ts";

type Config = Record<string, unknown> & {
  "labfleet:wireguard": { hub: Record<string, unknown>; peers: Record<string, unknown>[] };
  "labfleet:lxd": { runners: Record<string, unknown>[] };
  "labfleet:hut": { slots: Record<string, unknown>[]; hutCommand?: string; firmware?: Record<string, { path: string; sha256: string }> };
};

export class Sandbox {
  readonly id = randomBytes(3).toString("hex");
  readonly stack = `engine-${this.id}`;
  readonly tmp = mkdtempSync(join(tmpdir(), "lf-engine-"));
  readonly workspace = join(this.tmp, "project");
  readonly labDir = join(this.tmp, "lab");
  /** The sandbox's approvals file (absolute); config names it relative to the project root. */
  readonly approvals = join(this.tmp, "approvals.json");
  readonly runnerName = `lfe-${this.id}`;
  readonly lockDir = join(this.tmp, "locks");
  sim!: SimState;
  ctx!: EngineContext;
  private config!: Config;
  private baseText = "";

  /** The committed local stack with this sandbox's names (no overlay yet). */
  private sandboxText(): string {
    const doc = parseYaml(committedStackText()) as { config: Config };
    const c = doc.config;
    c["labfleet:environment"] = "local";
    c["labfleet:wireguard"].hub.interface = `wge${this.id}`;
    c["labfleet:lxd"].runners = c["labfleet:lxd"].runners.map((r) => ({ ...r, name: this.runnerName }));
    c["labfleet:hut"].slots = c["labfleet:hut"].slots.map((s, i) => ({ ...s, serialById: `/dev/serial/by-id/usb-labfleet-engine-${this.id}-${i + 1}-if00-port0` }));
    c["labfleet:governance"] = { ...((c["labfleet:governance"] as object | undefined) ?? {}), approvalsFile: relative(ROOT, this.approvals) };
    return stringifyYaml(doc);
  }

  async start(): Promise<this> {
    ensureEngine();
    this.baseText = this.sandboxText();
    mkdirSync(this.lockDir, { mode: 0o700 });
    this.sim = await startSim(simSpec(this.baseText, `lfe-${this.id}`), this.labDir);
    this.config = (parseYaml(overlayStackText(this.baseText, this.sim)) as { config: Config }).config;
    this.ctx = {
      backendDir: join(this.tmp, "state"),
      passphrase: randomBytes(12).toString("hex"),
      cwd: this.workspace,
      // the slots' locks live in the sandbox, apart from a lab or another run on this host
      env: { HUT_ESPTOOL: this.sim.esptool.command, FAKE_ESPTOOL_LOG: this.sim.esptool.log, HUT_LOCK_DIR: this.lockDir },
    };
    this.writeConfig();
    await selectStack(this.ctx, this.stack);
    await pulumiOk(this.ctx, ["config", "set", "--secret", "labfleet:haToken", "-s", this.stack], { stdin: haToken(this.labDir) });
    await this.approve();
    return this;
  }

  /** The stack's config as the engine reads it (a deep copy to mutate, then `setConfig`). */
  get configCopy(): Config {
    return structuredClone(this.config);
  }

  setConfig(config: Config): void {
    this.config = config;
    this.writeConfig();
  }

  get stackFile(): string {
    return join(this.workspace, `Pulumi.${this.stack}.yaml`);
  }

  private writeConfig(): void {
    linkWorkspace(this.workspace, { [this.stack]: stringifyYaml({ config: this.config }) });
  }

  /** `npm run approve` for this stack, writing the sandbox's own approvals file. */
  async approve(): Promise<void> {
    await this.tool("tools/approve/cli.ts", ["--stack", this.stack, "--config-file", this.stackFile]);
  }

  /** Runs one of the project's tsx tools with the workspace as cwd. */
  tool(script: string, args: string[]): Promise<PulumiResult> {
    return runCollect(process.execPath, ["--import", "tsx", join(ROOT, script), ...args], { cwd: this.workspace, env: { ...process.env, NO_COLOR: "1" } });
  }

  pulumi(args: string[], opts?: { timeoutMs?: number }): Promise<PulumiResult> {
    return pulumi(this.ctx, [...args, "-s", this.stack], opts);
  }

  pulumiOk(args: string[], opts?: { timeoutMs?: number }): Promise<PulumiResult> {
    return pulumiOk(this.ctx, [...args, "-s", this.stack], opts);
  }

  esptoolWrites(): string[] {
    let log = "";
    try {
      log = readFileSync(this.sim.esptool.log, "utf8");
    } catch {
      return [];
    }
    return log
      .split("--end--\n")
      .filter((entry) => entry.includes("write-flash") || entry.includes("write_flash"))
      .map((entry) => entry.split("\n").join(" "));
  }

  async dispose(): Promise<void> {
    if (this.ctx) {
      await pulumi(this.ctx, ["destroy", "--yes", "-s", this.stack], { timeoutMs: 300_000 }).catch(() => undefined);
      await pulumi(this.ctx, ["stack", "rm", "--yes", "--force", "-s", this.stack]).catch(() => undefined);
    }
    if (this.sim) await stopSim(this.labDir);
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
