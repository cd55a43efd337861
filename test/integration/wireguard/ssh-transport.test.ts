/**
 * The ssh transport against a real sshd (loopback, own config and keys): hub state and a peer's
 * create/read/delete over ssh with a pinned host key; a wrong host key, an unknown client key and
 * an unreachable hub are refused with a clear error and leave the hub unchanged.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDump } from "../../../components/wireguard/dump.ts";
import * as hubStateImpl from "../../../components/wireguard/hub-state-impl.ts";
import type { HubStateOutputs } from "../../../components/wireguard/hub-state-impl.ts";
import * as peerImpl from "../../../components/wireguard/peer-impl.ts";
import type { PeerOutputs } from "../../../components/wireguard/peer-schema.ts";
import { HUB_PORT, type LabPeer, NetnsLab, TUNNEL_CIDR } from "./netns-lab.ts";
import { hosted } from "./host.ts";
import { type Sshd, startSshd } from "./sshd.ts";


// Every call crosses the same boundary as in Pulumi's dynamic-provider host.
const impl = hosted<PeerOutputs>(peerImpl);
const hubState = hosted<HubStateOutputs>(hubStateImpl);

let lab: NetnsLab;
let peer: LabPeer;
let sshd: Sshd;

beforeAll(async () => {
  lab = new NetnsLab();
  await lab.start();
  peer = await lab.addPeerNs();
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd?.stop();
  await lab?.destroy();
});

function ssh(hostKey: string, port = sshd.port) {
  // wireguard-go's UAPI socket lives in /var/run/wireguard, so `wg` over ssh on this host reaches the
  // hub interface inside its namespace.
  return { kind: "ssh", host: "127.0.0.1", port, user: "root", hostKey, timeoutSeconds: 15 };
}

function inputs(transport: Record<string, unknown>, sshPrivateKey: string, extra: Record<string, unknown> = {}) {
  return {
    name: "agent-ssh",
    interface: lab.hubIf,
    transport,
    sshPrivateKey,
    hubPublicKey: lab.hubKeys.publicKey,
    hubEndpoint: "hub.lab.invalid:51820",
    cidr: TUNNEL_CIDR,
    address: "10.231.100.40",
    ...extra,
  };
}

const hubPeerKeys = async () => parseDump(await lab.hubDump()).peers.map((p) => p.publicKey).sort(); // wireguard-go dumps peers in map order
const leftoverSecretDirs = () => readdirSync("/tmp").filter((f) => f.startsWith("labfleet-wg-"));

describe("ssh transport (real sshd, pinned host key)", () => {
  it("reads the hub's public key over ssh (pinned by fingerprint and by key line)", async () => {
    for (const hostKey of [sshd.hostKeyFingerprint, sshd.hostKeyLine]) {
      const r = await hubState.create({ interface: lab.hubIf, transport: ssh(hostKey), sshPrivateKey: sshd.clientKey, listenPort: HUB_PORT });
      expect(r.outs.publicKey).toBe(lab.hubKeys.publicKey);
      expect(r.outs.observedListenPort).toBe(HUB_PORT);
    }
    await expect(
      hubState.create({ interface: lab.hubIf, transport: ssh(sshd.hostKeyFingerprint), sshPrivateKey: sshd.clientKey, listenPort: 51999 }),
    ).rejects.toThrow(`listens on ${HUB_PORT}, config says 51999 (labfleet:wireguard.hub.listenPort)`);
  });

  it("creates a peer with a preshared key over ssh: handshake + ping; read; delete (twice)", async () => {
    const before = leftoverSecretDirs();
    const ins = (await impl.check({}, inputs(ssh(sshd.hostKeyFingerprint), sshd.clientKey, { presharedKey: true }))).inputs as Record<string, unknown>;
    const r = await impl.create(ins);
    const dumped = parseDump(await lab.hubDump()).peers.find((p) => p.publicKey === r.outs.publicKey);
    expect(dumped?.allowedIps).toEqual(["10.231.100.40/32"]);
    expect(dumped?.presharedKey).toBe(r.outs.presharedKeyValue);
    expect(leftoverSecretDirs()).toEqual(before); // the remote 0600 psk file and its dir are gone
    await lab.applyClientConfig(peer, r.outs.clientConfig);
    await lab.ping(peer, 2, 0.3);
    expect((await lab.ping(peer, 5, 0.1)).received).toBe(5);
    const read = await impl.read(r.id, r.outs);
    expect(read.props.drift).toEqual([]);
    await impl.delete(r.id, r.outs);
    expect(await hubPeerKeys()).not.toContain(r.outs.publicKey);
    await expect(impl.delete(r.id, r.outs)).resolves.toBeUndefined();
  });

  it("refuses a hub whose host key is not the pinned one, before running anything", async () => {
    const before = await hubPeerKeys();
    await expect(impl.create(inputs(ssh(sshd.otherHostKeyLine), sshd.clientKey))).rejects.toThrow(
      `host key of ssh root@127.0.0.1:${sshd.port} does not match the pinned hostKey (the hub presented ${sshd.hostKeyFingerprint}); refusing to connect`,
    );
    await expect(impl.create(inputs(ssh(`SHA256:${"x".repeat(43)}`), sshd.clientKey))).rejects.toThrow(/does not match the pinned hostKey/);
    expect(await hubPeerKeys()).toEqual(before);
  });

  it("refuses an unauthorized client key and reports an unreachable hub clearly; hub unchanged", async () => {
    const before = await hubPeerKeys();
    await expect(impl.create(inputs(ssh(sshd.hostKeyFingerprint), sshd.strangerKey))).rejects.toThrow(
      `ssh key authentication to ssh root@127.0.0.1:${sshd.port} was refused`,
    );
    const closed = sshd.port === 1 ? 2 : 1;
    await expect(impl.create(inputs(ssh(sshd.hostKeyFingerprint, closed), sshd.clientKey))).rejects.toThrow(
      `cannot reach the WireGuard hub ssh root@127.0.0.1:${closed}: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
    await expect(impl.create(inputs(ssh(sshd.hostKeyFingerprint), ""))).rejects.toThrow("no ssh private key for ssh root@127.0.0.1");
    expect(await hubPeerKeys()).toEqual(before);
  });
});
