/**
 * Fleet bench (20 agents in network namespaces, each a wireguard-go peer with a real sshd, reached
 * only through the mesh; the `fleet` CLI runs in the hub's namespace):
 *  1. rollout of the package to 20 agents in batches of 5 vs one at a time (ratio);
 *  2. `fleet status` of 20 hosts with 2 links down: wall time vs the per-host timeout;
 *  3. packets lost during a two-phase key rotation of one agent (goal 0) while the hub pings all
 *     20 at 10 Hz, and how long the rotation takes (docs/design/wireguard.md, "Key rotation").
 */
import { AgentLab, peerCall } from "../../test/integration/fleet/agent-lab.ts";
import { fleetSettings, writePackage } from "../../test/integration/fleet/agent-package.ts";
import { fmtMs, ratio } from "./measure.ts";

const AGENTS = 20;
const STATUS_TIMEOUT_S = 10;

export default async function bench(): Promise<void> {
  const lab = new AgentLab();
  try {
    const t0 = Date.now();
    await lab.start(AGENTS);
    process.stdout.write(`lab of ${AGENTS} agents up in ${fmtMs(Date.now() - t0)}\n`);
    const v1 = writePackage(lab, "1.0.0");
    const v2 = writePackage(lab, "2.0.0");
    const inv = lab.file("bench-inventory.json", JSON.stringify(lab.inventory(fleetSettings(v1, { health: { command: "true", timeoutSeconds: 10 } }))));

    const run = async (pkg: typeof v1, batch: string) => {
      const r = await lab.fleet(["rollout", "--inventory", inv, "--package", pkg.path, "--sha256", pkg.sha256, "--version", pkg.version, "--batch", batch, "--json"], {}, 900_000);
      if (r.code !== 0) throw new Error(`rollout --batch ${batch} exited ${r.code}: ${r.stderr.slice(-500)}`);
      return r.ms;
    };
    const batched = await run(v1, "5");
    const serial = await run(v2, "1");
    process.stdout.write(`rollout to ${AGENTS} agents: batches of 5 ${fmtMs(batched)} · one at a time ${fmtMs(serial)} · ${ratio(serial, batched)} faster in batches\n`);

    await lab.link(lab.agents[3]!, "down");
    await lab.link(lab.agents[11]!, "down");
    const st = await lab.fleet(["status", "--inventory", inv, "--json", "--timeout", String(STATUS_TIMEOUT_S)]);
    const doc = JSON.parse(st.stdout) as { elapsed_ms: number; hosts: { reachable: boolean }[] };
    const down = doc.hosts.filter((h) => !h.reachable).length;
    process.stdout.write(
      `status of ${AGENTS} hosts, ${down} down (exit ${st.code}): probes ${fmtMs(doc.elapsed_ms)} (${ratio(doc.elapsed_ms, STATUS_TIMEOUT_S * 1000)} of the ${STATUS_TIMEOUT_S} s per-host timeout; one after another the down hosts alone would take ${down * STATUS_TIMEOUT_S} s), command ${fmtMs(st.ms)} with start-up\n`,
    );
    await lab.link(lab.agents[3]!, "up");
    await lab.link(lab.agents[11]!, "up");
    await rotation(lab);
  } finally {
    await lab.destroy();
  }
}

/** One agent's key rotated in two phases while the hub pings every agent: lost pings and duration. */
async function rotation(lab: AgentLab): Promise<void> {
  for (const a of lab.agents) await lab.wg.waitForReply(a.peer, 30_000);
  const a = lab.agents[0]!;
  const managed = await lab.manageKey(a);
  const tNoop = Date.now();
  const news = (await peerCall<{ inputs: Record<string, unknown> }>(lab, "check", managed.inputs, { ...lab.peerInputs(a), rotation: "bench" })).inputs;
  const startup = Date.now() - tNoop;
  const pings = lab.agents.map((x) => lab.wg.startPingIn(lab.wg.hubNs, x.address, 0.1, 3000));
  await new Promise((r) => setTimeout(r, 2000));
  const t0 = Date.now();
  await peerCall(lab, "update", managed.id, managed.outs, news);
  const ms = Date.now() - t0;
  const tallies = await Promise.all(pings.map((p) => p.stop()));
  const lost = tallies.reduce((n, t) => n + t.lost, 0);
  const sent = tallies.reduce((n, t) => n + t.transmitted, 0);
  process.stdout.write(
    `key rotation of ${a.name} (two-phase, over the mesh) with the hub pinging all ${lab.agents.length} agents at 10 Hz: ` +
      `packets lost ${lost}/${sent} (goal 0; ${a.name}: ${tallies[0]!.lost}/${tallies[0]!.transmitted}, its longest reply gap ${fmtMs(tallies[0]!.maxGapMs)} — staged, not lost) · ` +
      `rotation ${fmtMs(ms)} (provider call; ${fmtMs(startup)} of it is the call's process start-up, as measured by a check)\n`,
  );
}
