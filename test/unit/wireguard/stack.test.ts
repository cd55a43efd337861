/**
 * The real program (`stacks/`) on the mock runtime with the wireguard section: resources, secret
 * handling, stack outputs; and config errors that name the exact key path.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";
import { runProgram } from "../../helpers/program.ts";

const PEER = "pulumi-nodejs:dynamic/wireguard:WireGuardPeer";

describe("stack wiring (mock runtime)", () => {
  it("local: a local hub, one peer per config entry, addresses and hub endpoint exported, client configs secret", async () => {
    const run = await runProgram({ stack: "local" });
    const peers = run.resources.filter((r) => r.type === PEER);
    expect(peers.map((p) => p.name)).toEqual(["wireguard-operator-laptop", "wireguard-agent-pi-01"]);
    const hub = run.resources.find((r) => r.type === "labfleet:wireguard:WireGuardHub")!;
    for (const p of peers) {
      expect(p.parent).toBe(hub.urn);
      expect(p.inputs.transport).toEqual({ kind: "local" });
      expect(p.additionalSecretOutputs).toEqual(expect.arrayContaining(["privateKey", "presharedKeyValue", "clientConfig", "qrCodeSvg", "sshPrivateKey"]));
    }
    const out = run.outputs as { plain: Record<string, unknown>; redacted: Record<string, unknown> };
    expect(out.plain.wireguardHub).toMatchObject({ endpoint: "127.0.0.1:51820", cidr: "10.77.0.0/24", address: "10.77.0.1" });
    const addrs = out.plain.wireguardPeers as Record<string, { address: string; kind: string }>;
    expect(Object.keys(addrs)).toEqual(["operator-laptop", "agent-pi-01"]);
    expect(addrs["operator-laptop"]?.kind).toBe("operator");
    expect(addrs["agent-pi-01"]?.address).toBe(peers[1]?.inputs.address);
    expect(out.redacted.wireguardClientConfigs).toBe("[secret]");
    expect(out.redacted.wireguardQrCodes).toBe("[secret]");
    // Stable across runs.
    const again = await runProgram({ stack: "local" });
    expect((again.outputs as typeof out).plain.wireguardPeers).toEqual(addrs);
  });

  it("staging: ssh transport with the pinned host key; the ssh key is a secret input of every wireguard resource", async () => {
    const run = await runProgram({ stack: "staging", secrets: { "labfleet:wireguardSshKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nstub\n-----END OPENSSH PRIVATE KEY-----" } });
    const wg = run.resources.filter((r) => r.type.includes("dynamic/wireguard"));
    expect(wg.length).toBe(4);
    for (const r of wg) {
      expect(r.inputs.transport).toMatchObject({ kind: "ssh", host: "hub.staging.lab.example.org", user: "wgadmin", sudo: true, port: 22 });
      expect(r.secretPaths).toContain("sshPrivateKey");
      expect(r.inputs.sshPrivateKey).toContain("OPENSSH PRIVATE KEY");
      expect(JSON.stringify(r.redactedInputs)).not.toContain("OPENSSH");
    }
    expect(wg.find((r) => r.name === "wireguard-runner-staging-01")?.inputs.address).toBe("10.88.0.10");
  });
});

describe("wireguard config errors name the key path", () => {
  const raw = (wireguard: unknown) => ({ values: { wireguard: JSON.stringify(wireguard) }, secretKeys: new Set<string>() });
  const hub = { endpoint: "hub.example.org:51820", cidr: "10.77.0.0/24" };
  function problems(wireguard: unknown): string[] {
    try {
      parseStackConfig(raw(wireguard), "local");
    } catch (err) {
      if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
      throw err;
    }
    return [];
  }

  it("accepts a minimal hub and fills the defaults", () => {
    const cfg = parseStackConfig(raw({ hub, peers: [{ name: "a" }] }), "local");
    expect(cfg.wireguard).toMatchObject({
      enabled: true,
      hub: { interface: "wg0", listenPort: 51820, transport: { kind: "local" } },
      peers: [{ name: "a", kind: "agent", persistentKeepalive: 25, presharedKey: false }],
    });
  });

  it("rejects duplicate/out-of-range addresses, duplicate names, bad keys and ssh without a host key", () => {
    expect(
      problems({
        hub: { ...hub, publicKey: "nope", transport: { kind: "ssh", host: "h" } },
        peers: [
          { name: "a", address: "10.77.0.5" },
          { name: "b", address: "10.77.0.5" },
          { name: "c", address: "10.78.0.5" },
          { name: "a" },
          { name: "d", publicKey: "short" },
        ],
      }),
    ).toEqual([
      "labfleet:wireguard.hub.publicKey: must be a base64 WireGuard key (44 chars)",
      "labfleet:wireguard.hub.transport.hostKey: required",
      "labfleet:wireguard.peers[4].publicKey: must be a base64 WireGuard key (44 chars)",
    ]);
    expect(problems({ hub, peers: [{ name: "a", address: "10.77.0.5" }, { name: "b", address: "10.77.0.5" }, { name: "c", address: "10.78.0.5" }, { name: "a" }] })).toEqual([
      'labfleet:wireguard.peers[3].name: peer "a" is also declared at peers[0]',
      'labfleet:wireguard.peers[1].address: peer "b": address 10.77.0.5 is already used by peer "a"',
      'labfleet:wireguard.peers[2].address: peer "c": address 10.78.0.5 is outside the hub CIDR 10.77.0.0/24',
    ]);
  });

  it("a bad CIDR is reported once, at its key, without crashing the peer checks", () => {
    expect(problems({ hub: { ...hub, cidr: "10.0.0.0/33" }, peers: [{ name: "a", address: "10.0.0.5" }] })).toEqual([
      "labfleet:wireguard.hub.cidr: Invalid IPv4 range",
    ]);
  });

  it("requires the ssh key secret when the hub is reached over ssh", () => {
    const ssh = { kind: "ssh", host: "h", hostKey: `SHA256:${"a".repeat(43)}` };
    expect(problems({ hub: { ...hub, transport: ssh } })).toEqual([
      "labfleet:wireguardSshKey: required because wireguard.hub.transport.kind is ssh (pulumi config set --secret labfleet:wireguardSshKey …)",
    ]);
  });
});
