/**
 * WireGuardHub on Pulumi's mock runtime: children, names, allocation, addPeer for runner VMs, and
 * the dynamic providers' closure serialization — the serialized `__provider` is loaded in a plain
 * `node` child (no tsx, cwd = repo root) exactly like Pulumi's dynamic-provider host does.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { WireGuardHub } from "../../../components/wireguard/hub.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { callSerializedProvider } from "../../helpers/dynamic.ts";
const registered: pulumi.runtime.MockResourceArgs[] = [];
const HUB_KEY = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered.push(a);
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: (a) => a.inputs,
    },
    "labfleet",
    "unit",
    false,
  );
});

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((r) => o.apply((v) => r(v)));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 5));
}

function hub(name: string, extra: Partial<ConstructorParameters<typeof WireGuardHub>[1]> = {}) {
  return new WireGuardHub(name, {
    tags: { environment: "local", stack: "unit" },
    interface: "wg-lab",
    listenPort: 51820,
    endpoint: "hub.example.org:51820",
    cidr: "10.77.0.0/24",
    transport: { kind: "local" },
    peers: [{ name: "agent-a" }, { name: "pinned", address: "10.77.0.9", kind: "operator", presharedKey: true }],
    ...extra,
  });
}

/** The serialized provider, loaded like Pulumi's dynamic-provider host does (plain node, no tsx). */
function callInPlainNode(provider: string, method: "check", args: unknown[]): unknown {
  const r = callSerializedProvider(provider, method, args);
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

describe("WireGuardHub component (mock runtime)", () => {
  it("registers the hub state and one WireGuardPeer per config peer, with deterministic addresses", async () => {
    const h = hub("wg1");
    await settle();
    const mine = registered.filter((r) => r.name.startsWith("wg1"));
    expect(mine.map((r) => [r.type, r.name])).toEqual([
      ["labfleet:wireguard:WireGuardHub", "wg1"],
      ["pulumi-nodejs:dynamic/wireguard:WireGuardHubState", "wg1-state"],
      ["pulumi-nodejs:dynamic/wireguard:WireGuardPeer", "wg1-agent-a"],
      ["pulumi-nodejs:dynamic/wireguard:WireGuardPeer", "wg1-pinned"],
    ]);
    const a = mine[2]!.inputs;
    expect(a).toMatchObject({ name: "agent-a", interface: "wg-lab", cidr: "10.77.0.0/24", hubEndpoint: "hub.example.org:51820", transport: { kind: "local" } });
    expect(a.reserved).toEqual({ pinned: "10.77.0.9" });
    expect(h.peers.get("pinned")?.address).toBe("10.77.0.9");
    expect(h.peers.get("agent-a")?.address).toBe(a.address);
    expect(h.address).toBe("10.77.0.1");
    expect(await value(h.cidr)).toBe("10.77.0.0/24");
    expect(await value(h.endpoint)).toBe("hub.example.org:51820");
  });

  it("uses a pinned hub public key without touching the hub (no WireGuardHubState)", async () => {
    const h = hub("wg2", { publicKey: HUB_KEY });
    await settle();
    expect(registered.filter((r) => r.name.startsWith("wg2-state"))).toEqual([]);
    expect(await value(h.publicKey)).toBe(HUB_KEY);
    expect(registered.find((r) => r.name === "wg2-agent-a")?.inputs.hubPublicKey).toBe(HUB_KEY);
  });

  it("addPeer: runner VMs join with an allocated address; config entries win; collisions name both peers", async () => {
    const h = hub("wg3", { publicKey: HUB_KEY });
    const r1 = h.addPeer("runner-01", { kind: "runner" });
    expect(r1.kind).toBe("runner");
    expect(r1.address).toMatch(/^10\.77\.0\.\d+$/);
    expect(h.addPeer("pinned", { kind: "runner" })).toBe(h.peers.get("pinned"));
    expect(() => h.addPeer("runner-02", { address: "10.77.0.9" })).toThrow('peer "runner-02": address 10.77.0.9 is already used by peer "pinned"');
    expect(() => h.addPeer("runner-03", { address: "10.78.0.9" })).toThrow('peer "runner-03": address 10.78.0.9 is outside the hub CIDR 10.77.0.0/24');
    expect(() => h.addPeer("runner-01")).toThrow('peer "runner-01": declared twice on this hub');
    await settle();
    // Only pinned addresses travel with each peer (allocated ones cannot collide by construction).
    expect(registered.find((r) => r.name === "wg3-runner-01")?.inputs.reserved).toEqual({ pinned: "10.77.0.9" });
    expect(registered.filter((r) => r.name.startsWith("wg3-runner-0")).map((r) => r.name)).toEqual(["wg3-runner-01"]);
  });

  it("refuses a config whose peers collide, before registering any peer", () => {
    expect(() => hub("wg4", { peers: [{ name: "a", address: "10.77.0.9" }, { name: "b", address: "10.77.0.9" }] })).toThrow(
      'peer "b": address 10.77.0.9 is already used by peer "a"',
    );
  });

  it("the serialized WireGuardPeer provider runs in plain node (no tsx) and its check names the bad input", async () => {
    await settle();
    const peer = registered.find((r) => r.name === "wg1-agent-a")!;
    const provider = peer.inputs.__provider as string;
    expect(typeof provider).toBe("string");
    expect(provider).not.toContain(ROOT); // no absolute paths captured
    // Like the dynamic-provider host: news carry `__provider` too.
    const good = { ...peer.inputs, hubPublicKey: HUB_KEY };
    const ok = callInPlainNode(provider, "check", [{}, good]) as { inputs: Record<string, unknown>; failures?: unknown };
    expect(ok.failures).toBeUndefined();
    expect(ok.inputs).toMatchObject({ name: "agent-a", persistentKeepalive: 25, presharedKey: false, allowedIps: [], dns: [] });
    const bad = callInPlainNode(provider, "check", [{}, { ...good, address: "10.99.0.1" }]) as { failures: unknown };
    expect(bad.failures).toEqual([{ property: "address", reason: 'peer "agent-a": address: 10.99.0.1 is outside the hub CIDR 10.77.0.0/24' }]);
  });

  it("the serialized WireGuardHubState provider runs in plain node too", () => {
    const state = registered.find((r) => r.name === "wg1-state")!;
    const provider = state.inputs.__provider as string;
    const r = callInPlainNode(provider, "check", [{}, { interface: "wg 0", transport: { kind: "local" }, listenPort: 51820, __provider: provider }]) as {
      failures: { property: string; reason: string }[];
    };
    expect(r.failures).toEqual([{ property: "interface", reason: "WireGuard hub: interface: must be a Linux interface name (≤15 chars)" }]);
  });
});
