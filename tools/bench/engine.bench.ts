import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENGINE_DIR, ROOT } from "../engine/pulumi.ts";
import { Sandbox } from "../engine/sandbox.ts";
import { fmtMs, ratio } from "./measure.ts";

/**
 * The real engine: set-up cold vs warm, `pulumi preview` of the local stack vs `npm run plan` on
 * the same config, `pulumi up` and `destroy` of the local lab (a sandbox of it, simulated).
 * Cold set-up builds the CLI from scratch (minutes): it is measured only with BENCH_ENGINE_COLD=1,
 * otherwise the last cold build's time recorded by prereqs-engine.sh is shown.
 */
function setupMs(env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const r = spawnSync("bash", [join(ROOT, "tools/setup/prereqs-engine.sh")], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prereqs-engine.sh exited ${r.status}: ${r.stderr}`);
  return performance.now() - started;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const v = await f();
  return [v, performance.now() - started];
}

export default async function bench(): Promise<void> {
  const warm = setupMs();
  let cold: number | undefined;
  let coldNote = "";
  if (process.env.BENCH_ENGINE_COLD === "1") {
    const tmp = mkdtempSync(join(tmpdir(), "labfleet-engine-cold-"));
    try {
      cold = setupMs({ LABFLEET_ENGINE_DIR: join(tmp, "engine"), LABFLEET_CACHE_DIR: join(tmp, "cache"), PATH: (process.env.PATH ?? "").split(":").filter((d) => !existsSync(join(d, "pulumi"))).join(":") });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } else if (existsSync(join(ENGINE_DIR, "build-seconds"))) {
    cold = Number(readFileSync(join(ENGINE_DIR, "build-seconds"), "utf8")) * 1000;
    coldNote = " (last cold build, recorded; BENCH_ENGINE_COLD=1 measures one)";
  }
  process.stdout.write(`engine set-up: warm ${fmtMs(warm)}${cold ? ` | cold ${fmtMs(cold)}${coldNote} | cold/warm ${ratio(cold, warm)}` : ""}\n`);

  const sb = await new Sandbox().start();
  try {
    const [plan, planMs] = await timed(() => sb.tool("tools/plan/cli.ts", ["--stack", sb.stack, "--config-file", sb.stackFile, "--policy-config", sb.approvals, "--json"]));
    if (plan.code !== 0) throw new Error(`plan exited ${plan.code}: ${plan.stderr}`);
    const [, previewMs] = await timed(() => sb.pulumiOk(["preview"]));
    const [, policyMs] = await timed(() => sb.pulumiOk(["preview", "--policy-pack", "policies", "--policy-pack-config", sb.approvals]));
    process.stdout.write(
      `local stack, same config: npm run plan ${fmtMs(planMs)} | pulumi preview ${fmtMs(previewMs)} (${ratio(previewMs, planMs)}) | pulumi preview --policy-pack ${fmtMs(policyMs)} (${ratio(policyMs, planMs)})\n`,
    );
    const [, upMs] = await timed(() => sb.pulumiOk(["up", "--yes", "--skip-preview"]));
    const [, noopMs] = await timed(() => sb.pulumiOk(["up", "--yes", "--skip-preview"]));
    const [, destroyMs] = await timed(() => sb.pulumiOk(["destroy", "--yes", "--skip-preview"]));
    process.stdout.write(`local lab (simulated): pulumi up ${fmtMs(upMs)} | no-op up ${fmtMs(noopMs)} (${ratio(noopMs, upMs)}) | destroy ${fmtMs(destroyMs)} (${ratio(destroyMs, upMs)})\n`);
  } finally {
    await sb.dispose();
  }
}
