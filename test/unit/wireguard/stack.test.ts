/**
 * The real program (`stacks/`) on the mock runtime with the wireguard section: resources, secret
 * handling, stack outputs; and config errors that name the exact key path.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";
import { isSecretInput, runProgram } from "../../helpers/program.ts";

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

describe("rotation paths (docs/design/wireguard.md, \"Key rotation\")", () => {
  const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nrotation-key-body\n-----END OPENSSH PRIVATE KEY-----\n";
  const fleet = {
    package: { source: "https://packages.lab.example.org/agent-1.4.2.deb", sha256: "b".repeat(64), version: "1.4.2" },
    install: { command: 'dpkg -i "$FLEET_PACKAGE"', service: "labfleet-agent" },
    health: { url: "http://127.0.0.1:9100/healthz" },
    ssh: { user: "labfleet", port: 2222, connectTimeoutSeconds: 7 },
  };
  const wireguard = {
    hub: { interface: "wg-lab", endpoint: "127.0.0.1:51820", cidr: "10.77.0.0/24", transport: { kind: "local" } },
    peers: [
      { name: "pi-01", kind: "agent", rotateAfterDays: 90 },
      { name: "laptop", kind: "operator", rotateAfterDays: 90 },
      { name: "phone", kind: "operator" },
    ],
    rotation: { graceDays: 3, handshakeTimeoutSeconds: 15, agentInterface: "wg9", agentConfigDir: "/etc/wg" },
  };

  it("agents get the fleet's SSH delivery (key secret), operators an alternate address and the grace; runner hosts the LXD path", async () => {
    const run = await runProgram({ stack: "local", config: { "labfleet:fleet": fleet, "labfleet:wireguard": wireguard }, secrets: { "labfleet:fleetSshKey": KEY } });
    const peer = (n: string) => run.resources.find((r) => r.type === PEER && r.name === `wireguard-${n}`)!;
    const pi = peer("pi-01");
    expect(pi.inputs.delivery).toEqual({ kind: "ssh", host: pi.inputs.address, user: "labfleet", port: 2222, connectTimeoutSeconds: 7, interface: "wg9", configDir: "/etc/wg" });
    expect(isSecretInput(pi, "deliveryPrivateKey")).toBe(true);
    expect(JSON.stringify(pi.redactedInputs)).not.toContain("rotation-key-body");
    expect(pi.inputs.alternateAddress).toBeUndefined();
    expect(pi.inputs).toMatchObject({ rotationGraceDays: 3, handshakeTimeoutSeconds: 15 });
    const laptop = peer("laptop");
    expect(laptop.inputs.delivery).toBeUndefined();
    expect(laptop.inputs.alternateAddress).toMatch(/^10\.77\.0\.\d+$/);
    expect(laptop.inputs.alternateAddress).not.toBe(laptop.inputs.address);
    expect([pi.inputs.address, peer("phone").inputs.address]).not.toContain(laptop.inputs.alternateAddress);
    expect(peer("phone").inputs.alternateAddress).toBeUndefined(); // never rotates
    // Deterministic: the same program allocates the same alternate.
    const again = await runProgram({ stack: "local", config: { "labfleet:fleet": fleet, "labfleet:wireguard": wireguard }, secrets: { "labfleet:fleetSshKey": KEY } });
    expect(again.resources.find((r) => r.name === "wireguard-laptop")?.inputs.alternateAddress).toBe(laptop.inputs.alternateAddress);

    const staging = await runProgram({ stack: "staging", secrets: { "labfleet:wireguardSshKey": KEY } });
    const runner = staging.resources.find((r) => r.name === "wireguard-runner-staging-01")!;
    expect(runner.inputs.delivery).toMatchObject({ kind: "lxd", instance: "runner-staging-01", interface: "labfleet", configDir: "/etc/wireguard", remote: { kind: "https" } });
    expect(staging.resources.find((r) => r.name === "wireguard-agent-pi-01")?.inputs.delivery).toBeUndefined(); // no fleet section: a grace rotation
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
