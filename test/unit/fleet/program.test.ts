/**
 * Program wiring of `labfleet:fleet` on the mock runtime: off by default; on, the `agent` peers of
 * the mesh carrying the fleet's tags become the rollout's hosts at their tunnel addresses; the SSH
 * key is a secret input and never printed; config errors name their keys.
 */
import { describe, expect, it } from "vitest";
import { isSecretInput, one, runProgram } from "../../helpers/program.ts";

const SHA = "b".repeat(64);
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nplan-secret-key-body\n-----END OPENSSH PRIVATE KEY-----\n";
const fleet = {
  package: { source: "https://packages.lab.example.org/agent-1.4.2.deb", sha256: SHA, version: "1.4.2" },
  install: { command: 'dpkg -i "$FLEET_PACKAGE"', service: "labfleet-agent" },
  health: { url: "http://127.0.0.1:9100/healthz" },
  batch: 2,
  tags: ["bench-a"],
};
const wireguard = {
  hub: { interface: "wg-lab", endpoint: "127.0.0.1:51820", cidr: "10.77.0.0/24", transport: { kind: "local" } },
  peers: [
    { name: "pi-01", kind: "agent", tags: ["bench-a"] },
    { name: "pi-02", kind: "agent", address: "10.77.0.50", tags: ["bench-a", "arm"] },
    { name: "pi-03", kind: "agent", tags: ["bench-b"] },
    { name: "laptop", kind: "operator", tags: ["bench-a"] },
  ],
};

describe("program wiring of labfleet:fleet", () => {
  it("local: no fleet", async () => {
    const run = await runProgram({ stack: "local" });
    expect(run.resources.filter((r) => /^labfleet:fleet:|dynamic\/fleet:/.test(r.type))).toEqual([]);
  });

  it("rolls out to the tagged agent peers at their tunnel addresses, with the key as a secret", async () => {
    const run = await runProgram({ stack: "local", config: { "labfleet:fleet": fleet, "labfleet:wireguard": wireguard }, secrets: { "labfleet:fleetSshKey": KEY } });
    one(run.resources, "labfleet:fleet:AgentFleet", "fleet");
    const rollout = one(run.resources, "pulumi-nodejs:dynamic/fleet:FleetRollout", "fleet-rollout");
    const hosts = rollout.inputs.hosts as { name: string; address: string }[];
    expect(hosts.map((h) => h.name)).toEqual(["pi-01", "pi-02"]);
    expect(hosts[1]!.address).toBe("10.77.0.50");
    expect(hosts[0]!.address).toMatch(/^10\.77\.0\.\d+$/);
    expect(rollout.inputs).toMatchObject({ batch: 2, maxFailures: 0, package: fleet.package });
    expect(isSecretInput(rollout, "privateKey")).toBe(true);
    expect(rollout.additionalSecretOutputs).toContain("privateKey");
    expect(JSON.stringify(rollout.redactedInputs)).not.toContain("plan-secret-key-body");
  });

  it("names the missing secret and a fleet without the mesh", async () => {
    await expect(runProgram({ stack: "local", config: { "labfleet:fleet": fleet, "labfleet:wireguard": wireguard } })).rejects.toThrow(/labfleet:fleetSshKey: required because fleet is enabled/);
    await expect(runProgram({ stack: "local", config: { "labfleet:fleet": fleet, "labfleet:wireguard": { enabled: false } }, secrets: { "labfleet:fleetSshKey": KEY } })).rejects.toThrow(
      /labfleet:fleet: needs the labfleet:wireguard section/,
    );
  });
});
