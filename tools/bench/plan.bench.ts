import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ROOT } from "../plan/run.ts";
import { fmtMs, ratio, timeCommand } from "./measure.ts";

const node = process.execPath;
const plan = (args: string[]): [string, string[]] => [node, ["--import", "tsx", join(ROOT, "tools/plan/cli.ts"), ...args]];

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
    // Floor: same resources, same SDK modules, no-op mocks, no program logic.
    const doc = spawnSync(...plan(["--stack", "staging", "--json"]), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, cwd: ROOT });
    if (doc.status !== 0) throw new Error(`plan --stack staging exited ${doc.status}: ${doc.stderr}`);
    const resources = (JSON.parse(doc.stdout) as { resources: { type: string; name: string; inputs: unknown }[] }).resources;
    const list = join(tmp, "staging-resources.json");
    writeFileSync(list, JSON.stringify(resources));
    const floor = timeCommand(node, ["--import", "tsx", join(ROOT, "tools/bench/floor.ts"), list], 5, { cwd: ROOT });
    const staging = timeCommand(...plan(["--stack", "staging", "--json"]), 5, { cwd: ROOT });
    process.stdout.write(`plan staging (${resources.length} resources): ${fmtMs(staging)} vs floor ${fmtMs(floor)} = ${ratio(staging, floor)} (target ≤ 1.30×)\n`);

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
