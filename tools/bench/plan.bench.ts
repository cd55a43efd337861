import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ROOT } from "../plan/run.ts";
import { type FloorResource, floorProgram } from "./floor.ts";
import { compareCommands, fmtMs, fmtTiming, ratio, timeCommand } from "./measure.ts";

const node = process.execPath;
/** `npm run plan` without npm's own start-up: the precompiled plan on plain Node.js. */
const plan = (args: string[]): [string, string[]] => [node, [join(ROOT, "tools/plan/launch.mjs"), ...args]];
/** The plan's TypeScript run through tsx, as the tests run it (and as `npm run plan` did before). */
const planTsx = (args: string[]): [string, string[]] => [node, ["--import", "tsx", join(ROOT, "tools/plan/cli.ts"), ...args]];

/** A local stack config with `n` HUT slots and `n` WireGuard peers. */
export function generatedConfig(n: number): string {
  const slots = Array.from({ length: n }, (_, i) => ({
    id: `hut-${String(i + 1).padStart(4, "0")}`,
    label: `esp32-hut-${i + 1}`,
    runner: "local",
    serialById: `/dev/serial/by-id/usb-bench-${i + 1}-if00-port0`,
    relay: { entity: `switch.hut_${i + 1}_power` },
  }));
  const peers = Array.from({ length: n }, (_, i) => ({ name: `agent-${i + 1}` }));
  return stringify({
    config: {
      "labfleet:environment": "local",
      "labfleet:wireguard": { hub: { interface: "wg-bench", endpoint: "127.0.0.1:51820", cidr: "10.78.0.0/16" }, peers },
      "labfleet:hut": { slots },
    },
  });
}

export default async function bench(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "labfleet-bench-"));
  try {
    // Floor: a plain node program registering the same resources on no-op mocks (tools/bench/floor.ts).
    // The plan run here also compiles the plan's bundle if the sources changed, so the timed runs are warm.
    const doc = spawnSync(...plan(["--stack", "staging", "--json"]), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, cwd: ROOT });
    // Exit 1 (a mandatory violation) is a finished plan too.
    if (doc.status !== 0 && doc.status !== 1) throw new Error(`plan --stack staging exited ${doc.status}: ${doc.stderr}`);
    const resources = (JSON.parse(doc.stdout) as { resources: FloorResource[] }).resources;
    // Inside the repository, so that the floor's bare `@pulumi/…` imports resolve from node_modules.
    const floorDir = join(ROOT, ".cache", "bench");
    mkdirSync(floorDir, { recursive: true });
    const floorFile = join(floorDir, "plan-floor-staging.mjs");
    writeFileSync(floorFile, floorProgram(resources));
    const [floor, staging, tsx] = compareCommands([[node, [floorFile]], plan(["--stack", "staging"]), planTsx(["--stack", "staging"])], 5, { cwd: ROOT, okStatuses: [0, 1] });
    process.stdout.write(`floor (plain node, same ${resources.length} resources, SDK submodules, no-op mocks): ${fmtTiming(floor!)}\n`);
    process.stdout.write(
      `npm run plan -- --stack staging: ${fmtTiming(staging!)} = ${ratio(staging!.wall, floor!.wall)} wall, ${ratio(staging!.cpu, floor!.cpu)} CPU of the floor (target ≤ 2×)\n`,
    );
    process.stdout.write(`same plan through tsx (tools/plan/cli.ts): ${fmtTiming(tsx!)} = ${ratio(tsx!.wall, floor!.wall)} wall, ${ratio(tsx!.cpu, floor!.cpu)} CPU\n`);

    // Growth: generated configs with n slots + n peers.
    const sizes = [0, 100, 1000];
    const times: number[] = [];
    const counts: number[] = [];
    for (const n of sizes) {
      const file = join(tmp, `gen-${n}.yaml`);
      writeFileSync(file, generatedConfig(n));
      const r = spawnSync(...plan(["--stack", "bench", "--config-file", file, "--json"]), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, cwd: ROOT });
      // Exit 1 (a mandatory violation: the generated peers' keys are not approved) is a finished plan.
      if (r.status !== 0 && r.status !== 1) throw new Error(`plan of ${n} slots exited ${r.status}: ${r.stderr.slice(0, 500)}`);
      counts.push((JSON.parse(r.stdout) as { summary: { resources: number } }).summary.resources);
      times.push(timeCommand(...plan(["--stack", "bench", "--config-file", file, "--json"]), 3, { cwd: ROOT, okStatuses: [0, 1] }));
    }
    for (let i = 0; i < sizes.length; i++) {
      process.stdout.write(`plan with ${sizes[i]} slots + ${sizes[i]} peers: ${counts[i]} resources, ${fmtMs(times[i]!)}\n`);
    }
    const per100 = (times[1]! - times[0]!) / Math.max(1, counts[1]! - counts[0]!);
    const per1000 = (times[2]! - times[0]!) / Math.max(1, counts[2]! - counts[0]!);
    process.stdout.write(
      `growth: ${per100.toFixed(2)} ms/resource at 100, ${per1000.toFixed(2)} ms/resource at 1000 → ratio ${ratio(per1000, per100)} (linear ≈ 1×)\n`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
