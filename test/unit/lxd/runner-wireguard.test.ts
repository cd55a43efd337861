import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RunnerHost } from "../../../components/lxd/runner-host.ts";
import { runnerHostConnections } from "../../../stacks/runner-hosts.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { RunnerHostConfig } from "../../../components/lxd/settings.ts";
import { unwrap } from "../../../tools/plan/values.ts";

/**
 * RunnerHost with a WireGuard peer handed in by the stack (the WireGuard component is wired by the
 * lead): the peer's client config reaches the VM as a pushed file, and stays secret.
 */

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  secretPaths: string[];
  additionalSecretOutputs: string[];
}

async function withMocks(build: () => RunnerHost[]): Promise<{ vms: RunnerHost[]; registered: Registered[] }> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, status: "Running", ipv4: "10.232.0.7" } }),
      call: () => ({}),
    },
    "labfleet",
    "staging",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: { getType(): string; getName(): string; getObject(): never; getAdditionalsecretoutputsList(): string[] }, cb: unknown): void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const u = unwrap(pulumi.runtime.deserializeProperties(req.getObject(), true));
    registered.push({
      type: req.getType(),
      name: req.getName(),
      inputs: u.plain as Record<string, unknown>,
      secretPaths: u.secretPaths,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    });
    register(req, cb);
  };
  const vms = build();
  await Promise.all(vms.map((vm) => new Promise<void>((resolve) => vm.status.apply(() => resolve()))));
  await Promise.all(vms.map((vm) => vm.wireguardConfig && new Promise<void>((resolve) => vm.wireguardConfig?.urn.apply(() => resolve()))));
  return { vms, registered };
}

const runner = RunnerHostConfig.parse({ name: "runner-01", remote: "lab", sshPublicKey: "ssh-ed25519 AAAA op@lab" });
const { slots } = Inventory.parse({
  slots: [
    { id: "hut-01", label: "a", runner: "runner-01", serialById: "/dev/serial/by-id/a", relay: { entity: "switch.a" }, usb: { vendorid: "10C4", productid: "EA60" } },
    { id: "hut-02", label: "b", runner: "other", serialById: "/dev/serial/by-id/b", relay: { entity: "switch.b" }, usb: { vendorid: "1a86", productid: "55d4" } },
  ],
});
const WG = "[Interface]\nPrivateKey = cGVlci1wcml2YXRlLWtleS1mb3ItdGVzdHMtb25seS0wMDA=\nAddress = 10.88.0.10/32\n";

describe("RunnerHost with a WireGuard peer", () => {
  it("pushes the peer's config as a secret 0600 file that restarts wg-quick; user-data stays secret-free; the address is exported", async () => {
    const remote = { kind: "unix" as const, socket: "/var/lib/lxd/unix.socket", project: "default" };
    const tags = { environment: "staging", stack: "staging" };
    const { vms, registered } = await withMocks(() => [
      new RunnerHost("runner-01", { tags, runner, remote, slots, wireguard: { address: "10.88.0.10", clientConfig: WG } }),
      new RunnerHost("runner-02", { tags, runner: { ...runner, name: "runner-02" }, remote, slots }),
    ]);
    const [vm, plain] = vms as [RunnerHost, RunnerHost];
    const inst = registered.find((r) => r.name === "runner-01-instance");
    if (!inst) throw new Error("no LxdInstance registered");
    expect(inst.additionalSecretOutputs).toEqual(["clientKey"]);
    expect(inst.secretPaths).toEqual([]);
    const doc = parse((inst.inputs.config as Record<string, string>)["cloud-init.user-data"]!) as Record<string, unknown>;
    expect(doc.packages).toContain("wireguard-tools");
    expect(JSON.stringify(doc)).not.toContain("PrivateKey");

    const file = registered.find((r) => r.name === "runner-01-wireguard");
    if (!file) throw new Error("no LxdInstanceFile registered");
    expect(file.name).toBe("runner-01-wireguard");
    expect(file.inputs).toMatchObject({
      instance: "runner-01",
      path: "/etc/wireguard/labfleet.conf",
      content: WG,
      mode: "0600",
      apply: ["sh", "-c", "systemctl enable wg-quick@labfleet && systemctl restart wg-quick@labfleet"],
      remove: ["sh", "-c", "systemctl disable --now wg-quick@labfleet || true"],
    });
    expect(file.secretPaths).toEqual(["content"]);
    expect(file.additionalSecretOutputs.sort()).toEqual(["clientKey", "content"]);
    // the WireGuard config, and the inventory of runner-01's one slot; runner-02 carries none
    expect(registered.filter((r) => r.type === "pulumi-nodejs:dynamic/lxd:LxdInstanceFile").map((r) => r.name).sort()).toEqual(["runner-01-hut-inventory", "runner-01-wireguard"]);
    // only this runner's slots, ids lower-cased as LXD compares them
    expect(inst.inputs.devices).toEqual({ "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60" } });
    const address = await new Promise((resolve) => vm.wireguardAddress.apply(resolve));
    expect(address).toBe("10.88.0.10");
    expect(await new Promise((resolve) => vm.ipv4.apply(resolve))).toBe("10.232.0.7");
    // the HUT commands reach a runner over WireGuard when it has a peer, else at its LXD address
    const conns = runnerHostConnections(vms);
    expect(await new Promise((resolve) => conns["runner-01"]!.host.apply(resolve))).toBe("10.88.0.10");
    expect(await new Promise((resolve) => conns["runner-02"]!.host.apply(resolve))).toBe("10.232.0.7");
    expect(await new Promise((resolve) => conns["runner-02"]!.user.apply(resolve))).toBe("runner");
    const other = registered.find((r) => r.name === "runner-02-instance");
    if (!other) throw new Error("runner-02 not registered");
    expect(other.additionalSecretOutputs).toEqual(["clientKey"]);
    expect(other.secretPaths).toEqual([]);
    expect(parse((other.inputs.config as Record<string, string>)["cloud-init.user-data"]!).packages).not.toContain("wireguard-tools");
    expect(await new Promise((resolve) => plain.wireguardAddress.apply(resolve))).toBeUndefined();
  });
});
