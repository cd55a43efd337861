/**
 * The fleet's schemas and pure helpers: `labfleet:fleet` defaults and errors with their key
 * paths, the CLI inventory's host rules, host selection from the mesh's peers by kind and tags,
 * batch planning (count and share) and `--since` durations.
 */
import { describe, expect, it } from "vitest";
import { agentHosts, batchCount, batches } from "../../../components/fleet/hosts.ts";
import { FleetInventory } from "../../../components/fleet/inventory.ts";
import { parseDuration } from "../../../components/fleet/logs.ts";
import { FleetBody } from "../../../components/fleet/settings.ts";
import { formatPath } from "../../../hardware/schema/key-path.ts";

const base = {
  package: { source: "/srv/agent-1.0.0.deb", sha256: "a".repeat(64), version: "1.0.0" },
  install: { command: 'dpkg -i "$FLEET_PACKAGE"', service: "labfleet-agent" },
  health: { command: "systemctl is-active labfleet-agent" },
};

const problems = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.success ? [] : r.error!.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);

describe("labfleet:fleet", () => {
  it("fills the defaults", () => {
    expect(FleetBody.parse(base)).toMatchObject({
      batch: "25%",
      maxFailures: 0,
      pauseSeconds: 0,
      rollback: true,
      tags: [],
      ssh: { user: "root", port: 22, connectTimeoutSeconds: 10 },
      stateDir: "/var/lib/labfleet-agent",
      logDir: "/var/log/labfleet-agent",
      install: { restartCommand: 'systemctl restart "$FLEET_SERVICE"' },
      health: { timeoutSeconds: 30 },
    });
  });

  it("names every bad key", () => {
    const r = FleetBody.safeParse({
      ...base,
      package: { source: "agent.deb", sha256: "ABC", version: "1 0" },
      health: { command: "true", url: "http://127.0.0.1:8080/health" },
      batch: "0%",
      maxFailures: -1,
      stateDir: "var/lib",
      tags: ["Pi"],
    });
    expect(problems(r)).toEqual([
      "package.source: must be an absolute path or an http(s):// URL",
      "package.sha256: must be 64 lower-case hex digits",
      "package.version: must be a version like 1.4.2 (letters, digits, . _ + ~ -)",
      "health.command: set exactly one of command or url",
      "batch: must be a count like 5 or a share like 25%",
      "maxFailures: Too small: expected number to be >=0",
      "tags[0]: must be lower-case letters, digits and dashes",
      "stateDir: must be an absolute path",
    ]);
    expect(problems(FleetBody.safeParse({ ...base, health: { url: "https://x/h" } }))).toEqual(["health.url: must be an http:// URL (an endpoint of the agent itself)"]);
    expect(problems(FleetBody.safeParse({ ...base, batch: "101%" }))).toEqual(["batch: a share must be at most 100%"]);
    expect(problems(FleetBody.safeParse({ ...base, health: {} }))).toEqual(["health.command: set exactly one of command or url"]);
  });

  it("refuses duplicate hosts in the CLI inventory, naming the second", () => {
    const r = FleetInventory.safeParse({
      ...base,
      hosts: [
        { name: "pi-1", address: "10.0.0.2" },
        { name: "pi-1", address: "10.0.0.2" },
        { name: "pi-3", address: "10.0.0.300" },
      ],
    });
    expect(problems(r)).toEqual(["hosts[2].address: Invalid IPv4 address", "hosts[1].name: host \"pi-1\" is also listed at hosts[0]", "hosts[1].address: address 10.0.0.2 is also used at hosts[0]"]);
  });
});

describe("hosts and batches", () => {
  const peers = [
    { name: "pi-b", kind: "agent", address: "10.0.0.3", tags: ["lab-a", "arm"] },
    { name: "runner-1", kind: "runner", address: "10.0.0.4", tags: ["lab-a"] },
    { name: "pi-a", kind: "agent", address: "10.0.0.2", tags: ["lab-a"], publicKey: "k" },
    { name: "alice", kind: "operator", address: "10.0.0.5" },
  ];

  it("selects the agent peers carrying every tag, in name order", () => {
    expect(agentHosts(peers, [])).toEqual([
      { name: "pi-a", address: "10.0.0.2", publicKey: "k" },
      { name: "pi-b", address: "10.0.0.3" },
    ]);
    expect(agentHosts(peers, ["lab-a", "arm"]).map((h) => h.name)).toEqual(["pi-b"]);
    expect(agentHosts(peers, ["lab-b"])).toEqual([]);
  });

  it("plans batches by count and by share (rounded up, at least one host)", () => {
    expect(batchCount(5, 20)).toBe(5);
    expect(batchCount("25%", 20)).toBe(5);
    expect(batchCount("10%", 3)).toBe(1);
    expect(batchCount("30%", 4)).toBe(2);
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batches([1, 2, 3], "100%")).toEqual([[1, 2, 3]]);
    expect(batches([], 3)).toEqual([]);
  });

  it("parses --since durations", () => {
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("7d")).toBe(604800);
    expect(parseDuration("2 hours")).toBeNull();
    expect(parseDuration("")).toBeNull();
  });
});
