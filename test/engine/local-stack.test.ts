/**
 * The `local` stack under the real Pulumi engine (docs/engine.md): up, no-churn preview, targeted
 * re-flash, drift through refresh, key rotation under traffic, secrets in state, the policy pack
 * against the offline plan, config errors, destroy. One sandbox stack, steps in order.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haToken } from "../../tools/lab/sim.ts";
import { NetnsLab } from "../integration/wireguard/netns-lab.ts";
import { Sandbox } from "../../tools/engine/sandbox.ts";

const lxc = (...args: string[]) => execFileSync("lxc", args, { encoding: "utf8", timeout: 60_000 }).trim();
const hubPeers = (sb: Sandbox) =>
  execFileSync("ip", ["netns", "exec", sb.sim.netns, "wg", "show", sb.sim.hub.interface, "peers"], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean)
    .sort();
const outputs = async (sb: Sandbox, secrets = false) =>
  JSON.parse((await sb.pulumiOk(["stack", "output", "--json", ...(secrets ? ["--show-secrets"] : [])])).stdout) as Record<string, unknown>;

/** `pulumi preview --json` steps: op, urn, type. */
async function previewSteps(sb: Sandbox, extra: string[] = []) {
  const r = await sb.pulumi(["preview", "--json", ...extra]);
  const doc = JSON.parse(r.stdout) as { steps?: { op: string; urn: string; type?: string; newState?: { type: string } }[]; diagnostics?: { message: string; severity: string }[]; policyViolations?: unknown };
  return { r, doc, steps: doc.steps ?? [] };
}

describe.sequential("the local stack under the real engine", () => {
  const sb = new Sandbox();

  beforeAll(async () => {
    await sb.start();
  }, 600_000);
  afterAll(async () => {
    await sb.dispose();
  }, 600_000);

  it("pulumi up creates the hub's peers, the LXD runner and both slots' flash and power-cycle on the simulated lab", async () => {
    const r = await sb.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(r.stdout).toMatch(/created/);
    const out = await outputs(sb);
    expect(out.simulated).toBe(true);
    const peers = out.wireguardPeers as Record<string, { publicKey: string }>;
    expect(hubPeers(sb)).toEqual(Object.values(peers).map((p) => p.publicKey).sort());
    expect(JSON.parse(lxc("query", `/1.0/instances/${sb.runnerName}`)).status).toBe("Running");
    const writes = sb.esptoolWrites();
    expect(writes).toHaveLength(2);
    // each slot gets its own chip's image
    for (const f of Object.values(sb.sim.firmware)) expect(writes.join("\n")).toContain(f.path);
  }, 600_000);

  it("a second preview --expect-no-changes passes: nothing churns", async () => {
    const r = await sb.pulumi(["preview", "--expect-no-changes"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 300_000);

  it("a new firmware sha256 changes exactly the flash actions, and up re-flashes both slots", async () => {
    const cfg = sb.configCopy;
    const fw = cfg["labfleet:hut"].firmware;
    if (!fw) throw new Error("the simulated lab's overlay sets hut.firmware");
    // the same images under new names: new builds, new shas, nothing else touched
    cfg["labfleet:hut"].firmware = Object.fromEntries(
      Object.entries(fw).map(([chip, f]) => {
        const next = `${f.path}.next`;
        execFileSync("sh", ["-c", `cp "${f.path}" "${next}" && printf 'v2' >> "${next}"`]);
        return [chip, { path: next, sha256: execFileSync("sha256sum", [next], { encoding: "utf8" }).split(" ")[0] ?? "" }];
      }),
    );
    sb.setConfig(cfg);
    const { steps } = await previewSteps(sb);
    const changed = steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
    expect(changed.filter((c) => !c.endsWith("-flash")), changed.join("\n")).toEqual([]);
    expect(changed.filter((c) => c.endsWith("hut-01-flash") || c.endsWith("hut-02-flash")).length).toBeGreaterThanOrEqual(2);
    const before = sb.esptoolWrites().length;
    await sb.pulumiOk(["up", "--yes", "--skip-preview"]);
    const after = sb.esptoolWrites();
    expect(after.length - before).toBe(2);
    expect(after.slice(before).every((w) => w.includes(".next"))).toBe(true);
  }, 600_000);

  it("drift (a peer removed from the hub, the container stopped) is reported by refresh and undone by up", async () => {
    const peers = hubPeers(sb);
    const gone = peers[0] ?? "";
    execFileSync("ip", ["netns", "exec", sb.sim.netns, "wg", "set", sb.sim.hub.interface, "peer", gone, "remove"]);
    lxc("stop", sb.runnerName, "--force");
    const refresh = await sb.pulumiOk(["refresh", "--yes", "--skip-preview", "--json"]);
    expect(refresh.stdout).toMatch(/"update"|"op":\s*"update"|updated/);
    await sb.pulumiOk(["up", "--yes", "--skip-preview"]);
    expect(hubPeers(sb)).toEqual(peers);
    expect(JSON.parse(lxc("query", `/1.0/instances/${sb.runnerName}`)).status).toBe("Running");
  }, 600_000);

  it("a key rotation through config gives that peer a new key in place (no delivery path here: the old key stays for the grace) and keeps the other peer's ping unbroken", async () => {
    const lab = new NetnsLab({ ns: sb.sim.netns, iface: sb.sim.hub.interface, tunnelIp: sb.sim.hub.address });
    try {
      const before = (await outputs(sb, true)) as { wireguardClientConfigs: Record<string, string>; wireguardPeers: Record<string, { publicKey: string }> };
      const operator = await lab.addPeerNs();
      await lab.applyClientConfig(operator, before.wireguardClientConfigs["operator-laptop"] ?? "");
      await lab.waitForReply(operator);
      const cfg = sb.configCopy;
      const agent = cfg["labfleet:wireguard"].peers.find((p) => p.name === "agent-pi-01");
      if (!agent) throw new Error("the local stack declares agent-pi-01");
      agent.rotation = `engine-test-${Date.now()}`;
      sb.setConfig(cfg);
      await sb.approve(); // a rotation is a secret change: approved as an operator would
      const ping = lab.startPing(operator, 0.05);
      await sb.pulumiOk(["up", "--yes", "--skip-preview"]);
      const tally = await ping.stop();
      const after = (await outputs(sb)) as { wireguardPeers: Record<string, { publicKey: string; previousPublicKey: string }> };
      expect(after.wireguardPeers["agent-pi-01"]?.publicKey).not.toBe(before.wireguardPeers["agent-pi-01"]?.publicKey);
      expect(after.wireguardPeers["agent-pi-01"]?.previousPublicKey).toBe(before.wireguardPeers["agent-pi-01"]?.publicKey);
      expect(after.wireguardPeers["operator-laptop"]?.publicKey).toBe(before.wireguardPeers["operator-laptop"]?.publicKey);
      const held = Object.values(after.wireguardPeers).flatMap((p) => [p.publicKey, p.previousPublicKey].filter(Boolean));
      expect(hubPeers(sb)).toEqual(held.sort());
      expect(tally.received).toBeGreaterThan(20);
      expect(tally.lost, `ping from operator-laptop during the rotation: ${JSON.stringify({ ...tally, replies: undefined })}`).toBe(0);
    } finally {
      await lab.destroy();
    }
  }, 600_000);

  it("pulumi stack export holds no secret in plaintext, and stack output shows them only as secrets", async () => {
    const plain = await outputs(sb, true);
    const state = (await sb.pulumiOk(["stack", "export"])).stdout;
    const configs = plain.wireguardClientConfigs as Record<string, string>;
    const privateKeys = Object.values(configs).map((c) => /PrivateKey\s*=\s*(\S+)/.exec(c)?.[1] ?? "");
    expect(privateKeys.filter(Boolean).length).toBeGreaterThan(0);
    for (const secret of [...privateKeys, haToken(sb.labDir)]) expect(state.includes(secret), "a secret in the exported state").toBe(false);
    const shown = (await sb.pulumiOk(["stack", "output"])).stdout;
    expect(shown).toMatch(/wireguardClientConfigs\s+\[secret\]/);
    for (const key of privateKeys) expect(shown.includes(key)).toBe(false);
  }, 300_000);

  it("the real policy pack is clean on the sandbox's config and its verdicts equal npm run plan's; URNs and types equal the plan's", async () => {
    // --show-sames: every resource is a step, not only the changed ones
    const packConfig = ["--show-sames", "--policy-pack", "policies", "--policy-pack-config", sb.approvals];
    const engine = await previewSteps(sb, packConfig);
    expect(engine.r.code, engine.r.stdout.slice(-3000) + engine.r.stderr).toBe(0);
    const plan = await sb.tool("tools/plan/cli.ts", ["--stack", sb.stack, "--config-file", sb.stackFile, "--policy-config", sb.approvals, "--json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const doc = JSON.parse(plan.stdout) as { resources: { urn: string; type: string }[]; violations: unknown[] };
    expect(doc.violations).toEqual([]);
    const planUrns = doc.resources.map((r) => `${r.type} ${r.urn}`).sort();
    const engineUrns = engine.steps.map((s) => `${s.newState?.type ?? s.type} ${s.urn}`).sort();
    const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
    expect({ onlyEngine: only(engineUrns, planUrns), onlyPlan: only(planUrns, engineUrns) }).toEqual({ onlyEngine: [], onlyPlan: [] });
  }, 300_000);

  it("the real policy pack refuses a tty port override, a job timeout over the role maximum and an unapproved secret, naming the rules the plan names", async () => {
    const good = sb.configCopy;
    const bad = sb.configCopy;
    const hut = bad["labfleet:hut"];
    hut.hutCommand = `env HUT_PORT=/dev/ttyUSB0 timeout 5h ${hut.hutCommand ?? "hut"}`;
    bad["labfleet:wireguard"].peers.push({ name: "unapproved-laptop", kind: "operator" });
    sb.setConfig(bad);
    try {
      const r = await sb.pulumi(["preview", "--policy-pack", "policies", "--policy-pack-config", sb.approvals]);
      expect(r.code).not.toBe(0);
      const engineRules = new Set([...r.stdout.matchAll(/\[(?:mandatory|advisory)\][^\n]*?\s{2}([a-z0-9-]+)\s{2}\(/g)].map((m) => m[1]));
      const plan = await sb.tool("tools/plan/cli.ts", ["--stack", sb.stack, "--config-file", sb.stackFile, "--policy-config", sb.approvals, "--json"]);
      expect(plan.code).toBe(1);
      const planRules = new Set((JSON.parse(plan.stdout) as { violations: { policy: string }[] }).violations.map((v) => v.policy));
      for (const rule of ["hut-stable-serial", "job-timeouts-within-role-limits", "secret-change-approval"]) expect([...planRules]).toContain(rule);
      expect([...engineRules].sort()).toEqual([...planRules].sort());
    } finally {
      sb.setConfig(good);
    }
  }, 300_000);

  it("a config error makes preview exit non-zero naming the key path, with no stack trace and no resource registered", async () => {
    const good = sb.configCopy;
    const bad = sb.configCopy;
    (bad["labfleet:wireguard"] as { hub: Record<string, unknown> }).hub.listenPort = 70000;
    sb.setConfig(bad);
    try {
      const { r, steps } = await previewSteps(sb);
      expect(r.code).not.toBe(0);
      const text = r.stdout + r.stderr;
      expect(text).toContain("labfleet:wireguard.hub.listenPort");
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(steps.filter((s) => !s.urn.includes("pulumi:pulumi:Stack") && s.op === "create")).toEqual([]);
    } finally {
      sb.setConfig(good);
    }
  }, 300_000);

  it("pulumi destroy leaves nothing (no instance, no peer, no lock), and a second destroy is fine", async () => {
    await sb.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    expect(hubPeers(sb)).toEqual([]);
    // the slots' lock files stay (flock files), but no process holds one
    const locks = readdirSync(sb.lockDir);
    expect(locks.length).toBeGreaterThan(0);
    for (const f of locks) expect(() => execFileSync("flock", ["-n", join(sb.lockDir, f), "true"]), `${f} is held`).not.toThrow();
    expect(() => lxc("query", `/1.0/instances/${sb.runnerName}`)).toThrow();
    await sb.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    const resources = JSON.parse((await sb.pulumiOk(["stack", "export"])).stdout).deployment.resources ?? [];
    expect(resources).toEqual([]);
  }, 600_000);
});
