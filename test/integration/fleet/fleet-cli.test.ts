/**
 * The `fleet` CLI against 4 agents reached only through the WireGuard mesh (network namespaces
 * running wireguard-go and a real sshd each; the CLI runs in the hub's namespace): a rollout in
 * batches, the same rollout again doing no work, a failing health check stopping the rollout at
 * the limit with the failed batch rolled back, `status` with a host whose link is down (within
 * the bound), `collect-logs` with a correct manifest and the down host listed as missing, and bad
 * input exiting 2 naming the flag.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentLab } from "./agent-lab.ts";
import { fleetSettings, sha256, writePackage } from "./agent-package.ts";

let lab: AgentLab;
let inv: string;
let v1: ReturnType<typeof writePackage>;
let v2: ReturnType<typeof writePackage>;

interface HostJson {
  name: string;
  status: string;
  from: string | null;
  version: string | null;
  rolledBack?: boolean;
  detail?: string;
  batch: number;
}

beforeAll(async () => {
  lab = new AgentLab();
  await lab.start(4);
  v1 = writePackage(lab, "1.0.0");
  v2 = writePackage(lab, "2.0.0");
  inv = lab.file("inventory.json", JSON.stringify(lab.inventory(fleetSettings(v1))));
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
}, 60_000);

const json = <T>(out: string) => JSON.parse(out) as T;

describe("fleet rollout", () => {
  it("rolls the package out in batches of 2, then a second run does no work", async () => {
    const r = await lab.fleet(["rollout", "--inventory", inv, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = json<{ ok: boolean; batches: number; hosts: HostJson[] }>(r.stdout);
    expect(doc.batches).toBe(2);
    expect(doc.hosts.map((h) => [h.name, h.batch, h.status, h.version])).toEqual([
      ["agent-01", 1, "updated", "1.0.0"],
      ["agent-02", 1, "updated", "1.0.0"],
      ["agent-03", 2, "updated", "1.0.0"],
      ["agent-04", 2, "updated", "1.0.0"],
    ]);
    const again = await lab.fleet(["rollout", "--inventory", inv, "--json"]);
    expect(again.code).toBe(0);
    expect(json<{ hosts: HostJson[] }>(again.stdout).hosts.map((h) => h.status)).toEqual(["unchanged", "unchanged", "unchanged", "unchanged"]);
    // Each agent restarted exactly once (its own audit log, through its own sshd).
    for (const a of lab.agents) expect(readFileSync(join(a.dir, "log", "audit.log"), "utf8").trim().split("\n")).toHaveLength(1);
  }, 180_000);

  it("stops at the failure limit, names the failed host, rolls its batch back and never starts the next batch", async () => {
    writeFileSync(join(lab.agents[1]!.dir, "broken"), "2.0.0\n");
    const r = await lab.fleet(["rollout", "--inventory", inv, "--package", v2.path, "--sha256", v2.sha256, "--version", "2.0.0", "--batch", "2", "--max-fail", "0", "--json"]);
    expect(r.code).toBe(1);
    const doc = json<{ ok: boolean; stoppedAtBatch: number; failed: string[]; hosts: HostJson[] }>(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.stoppedAtBatch).toBe(1);
    expect(doc.failed).toEqual(["agent-02"]);
    const by = Object.fromEntries(doc.hosts.map((h) => [h.name, h]));
    expect(by["agent-02"]).toMatchObject({ status: "failed", from: "1.0.0", version: "1.0.0", rolledBack: true });
    expect(by["agent-02"]!.detail).toMatch(/health command exited 1/);
    expect(by["agent-01"]).toMatchObject({ status: "updated", from: "1.0.0", version: "1.0.0", rolledBack: true });
    expect(by["agent-03"]).toMatchObject({ status: "skipped" });
    expect(by["agent-04"]).toMatchObject({ status: "skipped" });
    // The human form names the host on stderr.
    const human = await lab.fleet(["rollout", "--inventory", inv, "--package", v2.path, "--sha256", v2.sha256, "--version", "2.0.0", "--batch", "2"]);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/stopped after batch 1\/2 \(maxFailures 0\); 1 failed host\(s\): agent-02 \(10\.231\.100\.12\): health command exited 1/);
    const status = await lab.fleet(["status", "--inventory", inv, "--json"]);
    expect(json<{ hosts: { name: string; agent_version: string }[] }>(status.stdout).hosts.map((h) => h.agent_version)).toEqual(["1.0.0", "1.0.0", "1.0.0", "1.0.0"]);
  }, 180_000);

  it("gates on an http health URL requested as the agent itself (its server listens on its loopback only)", async () => {
    const a = lab.agents[0]!;
    const www = join(a.dir, "www");
    mkdirSync(www, { recursive: true });
    writeFileSync(join(www, "healthz"), "ok\n");
    const server = spawn("ip", ["netns", "exec", a.peer.ns, "python3", "-m", "http.server", "18080", "--bind", "127.0.0.1", "--directory", www], { stdio: "ignore" });
    try {
      const settings = (path: string) => fleetSettings(v1, { health: { url: `http://127.0.0.1:18080${path}`, timeoutSeconds: 5 } });
      const good = lab.file("inventory-http.json", JSON.stringify(lab.inventory(settings("/healthz"))));
      const ok = await lab.fleet(["rollout", "--inventory", good, "--host", a.name, "--json"]);
      expect(ok.code).toBe(0);
      // unchanged after the rollouts above (updated when run alone)
      expect(json<{ hosts: HostJson[] }>(ok.stdout).hosts.map((h) => [h.name, h.version])).toEqual([[a.name, "1.0.0"]]);
      const bad = lab.file("inventory-http-404.json", JSON.stringify(lab.inventory(settings("/missing"))));
      const failed = await lab.fleet(["rollout", "--inventory", bad, "--host", a.name, "--json"]);
      expect(failed.code).toBe(1);
      expect(json<{ hosts: HostJson[] }>(failed.stdout).hosts[0]!.detail).toMatch(/^GET http:\/\/127\.0\.0\.1:18080\/missing answered 404 \(still after 5s/);
    } finally {
      server.kill("SIGTERM");
    }
  }, 120_000);

  it("exits 2 naming the flag for an unknown host, a wrong sha256 and a missing package", async () => {
    const unknown = await lab.fleet(["rollout", "--inventory", inv, "--host", "agent-99"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fleet: --host: unknown host "agent-99"/);
    const badSha = await lab.fleet(["rollout", "--inventory", inv, "--package", v2.path, "--sha256", v1.sha256, "--version", "2.0.0"]);
    expect(badSha.code).toBe(2);
    expect(badSha.stderr).toMatch(/^fleet: --sha256: .* has sha256 [0-9a-f]{64}, not the expected/);
    const missing = await lab.fleet(["rollout", "--inventory", inv, "--package", "/nonexistent/agent.pkg", "--sha256", v2.sha256, "--version", "2.0.0"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^fleet: --package: cannot read \/nonexistent\/agent.pkg: no such file/);
    const badBatch = await lab.fleet(["rollout", "--inventory", inv, "--batch", "0"]);
    expect(badBatch.code).toBe(2);
    expect(badBatch.stderr).toMatch(/--batch/);
    const noKey = await lab.fleet(["status", "--inventory", inv], { FLEET_SSH_KEY: "" });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/FLEET_SSH_KEY: required/);
    const badInv = lab.file("bad-inventory.json", JSON.stringify({ ...lab.inventory(fleetSettings(v1)), batch: "150%" }));
    const bad = await lab.fleet(["status", "--inventory", badInv]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/batch: a share must be at most 100%/);
  }, 120_000);
});

describe("fleet status and collect-logs", () => {
  it("reports every host with its facts and the hub's handshake age", async () => {
    const r = await lab.fleet(["status", "--inventory", inv, "--json"]);
    expect(r.code).toBe(0);
    const doc = json<{ ok: boolean; hosts: Record<string, unknown>[] }>(r.stdout);
    expect(doc.ok).toBe(true);
    for (const [i, h] of doc.hosts.entries()) {
      expect(h).toMatchObject({ name: lab.agents[i]!.name, reachable: true, hostname: lab.agents[i]!.name, user: "root", agent_version: "1.0.0" });
      expect(h.uptime_s).toBeGreaterThan(0);
      expect(h.disk_free_bytes).toBeGreaterThan(0);
      expect(h.handshake_age_s).toBeGreaterThanOrEqual(0);
      expect(h.handshake_age_s).toBeLessThan(180);
    }
  }, 60_000);

  it("reports hosts whose link is down within the bound, and lists them as missing when collecting logs", async () => {
    const down = [lab.agents[2]!, lab.agents[3]!];
    for (const a of down) await lab.link(a, "down");
    try {
      const r = await lab.fleet(["status", "--inventory", inv, "--json", "--timeout", "6"]);
      expect(r.code).toBe(1);
      const doc = json<{ ok: boolean; elapsed_ms: number; hosts: { name: string; reachable: boolean; error?: string }[] }>(r.stdout);
      expect(doc.hosts.map((h) => [h.name, h.reachable])).toEqual([
        ["agent-01", true],
        ["agent-02", true],
        ["agent-03", false],
        ["agent-04", false],
      ]);
      expect(doc.hosts[3]!.error).toMatch(/agent-04/);
      // Probed at once: one bound (plus scheduling), not one per down host (10–12 s).
      expect(doc.elapsed_ms).toBeGreaterThanOrEqual(4_900); // ssh.connectTimeoutSeconds 5 < --timeout 6
      expect(doc.elapsed_ms).toBeLessThan(8_000);

      const out = join(lab.wg.tmp, "logs");
      const c = await lab.fleet(["collect-logs", "--inventory", inv, "--out", out, "--since", "1h", "--json"]);
      expect(c.code).toBe(1);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as {
        since_s: number;
        hosts: { name: string; status: string; files: { path: string; bytes: number; sha256: string }[]; error?: string }[];
      };
      expect(manifest.since_s).toBe(3600);
      expect(manifest.hosts.map((h) => [h.name, h.status])).toEqual([
        ["agent-01", "ok"],
        ["agent-02", "ok"],
        ["agent-03", "missing"],
        ["agent-04", "missing"],
      ]);
      expect(manifest.hosts[3]!.error).toMatch(/cannot reach agent agent-04 ssh root@10\.231\.100\.14:22/);
      for (const h of manifest.hosts.slice(0, 2)) {
        const agent = lab.agents.find((a) => a.name === h.name)!;
        const original = readFileSync(join(agent.dir, "log", "audit.log"));
        expect(h.files).toEqual([{ path: "audit.log", bytes: original.length, sha256: sha256(original) }]);
        expect(readFileSync(join(out, h.name, "audit.log"))).toEqual(original);
      }
      expect(readdirSync(out).sort()).toEqual(["agent-01", "agent-02", "manifest.json"]);
      // No secret in anything the command wrote.
      const key = readFileSync(lab.keyPath, "utf8");
      const keyBody = key.split("\n")[1]!;
      expect(c.stdout + c.stderr + readFileSync(join(out, "manifest.json"), "utf8")).not.toContain(keyBody);
    } finally {
      for (const a of down) await lab.link(a, "up");
    }
  }, 120_000);
});
