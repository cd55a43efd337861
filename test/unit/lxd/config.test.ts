import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";

function problems(values: Record<string, unknown>, secrets: string[] = []): string[] {
  const raw = { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])), secretKeys: new Set(secrets) };
  try {
    parseStackConfig(raw, "staging");
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.key}: ${p.message}`);
  }
}

const KEY = "ssh-ed25519 AAAA op@lab";
const slot = (i: number, runner: string, extra: Record<string, unknown> = {}) => ({
  id: `hut-0${i}`,
  label: `esp32-hut-0${i}`,
  runner,
  serialById: `/dev/serial/by-id/usb-adapter-${i}`,
  relay: { entity: `switch.hut_0${i}` },
  ...extra,
});

describe("labfleet:lxd", () => {
  it("defaults: this host's socket, a 24.04 VM with 2 CPUs, 4GiB, 40GiB, cloud-init on", () => {
    const cfg = parseStackConfig({ values: { lxd: JSON.stringify({ runners: [{ name: "r1", sshPublicKey: KEY }] }) }, secretKeys: new Set() }, "staging");
    if (!cfg.lxd.enabled) throw new Error("lxd off");
    expect(cfg.lxd.remotes).toEqual({ local: { kind: "unix", socket: "/var/lib/lxd/unix.socket", project: "default" } });
    expect(cfg.lxd.runners[0]).toMatchObject({
      remote: "local",
      type: "virtual-machine",
      image: "24.04",
      cpu: 2,
      memory: "4GiB",
      diskSize: "40GiB",
      sshUser: "runner",
      cloudInit: true,
      nodeChannel: "20/stable",
      readinessTimeoutSeconds: 900,
      stopTimeoutSeconds: 30,
    });
  });

  it("names a missing SSH key and LXD-owned keys, then undeclared remotes and duplicate runners", () => {
    expect(problems({ lxd: { runners: [{ name: "r1", cloudInit: true, config: { "volatile.uuid": "x" } }] } })).toEqual([
      "labfleet:lxd.runners[0].sshPublicKey: required when cloudInit is true (the runner user needs a key)",
      "labfleet:lxd.runners[0].config.volatile.uuid: is managed by LXD",
    ]);
    expect(
      problems({
        lxd: {
          runners: [
            { name: "r1", remote: "lab", sshPublicKey: KEY },
            { name: "r1", sshPublicKey: KEY },
          ],
        },
      }),
    ).toEqual([
      'labfleet:lxd.runners[0].remote: remote "lab" is not declared in lxd.remotes (have: local)',
      "labfleet:lxd.runners[1].name: duplicate runner name (also runners[0])",
    ]);
  });

  it("https remotes: URL, PEM certificate, and the client key secret", () => {
    expect(problems({ lxd: { remotes: { lab: { kind: "https", url: "http://x:8443", clientCertificate: "nope" } } } })).toEqual([
      "labfleet:lxd.remotes.lab.url: must be an https:// URL",
      "labfleet:lxd.remotes.lab.clientCertificate: must be a PEM certificate",
    ]);
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(problems({ lxd: { remotes: { lab: { kind: "https", url: "https://x:8443", clientCertificate: cert } } } })).toEqual([
      "labfleet:lxdClientKey: required because an lxd remote uses https (pulumi config set --secret labfleet:lxdClientKey …)",
    ]);
  });

  it("a slot on a VM runner needs its adapter's usb identity; on a container it does not", () => {
    const lxd = { runners: [{ name: "vm1", sshPublicKey: KEY }, { name: "ct1", type: "container", cloudInit: false }] };
    expect(problems({ lxd, hut: { slots: [slot(1, "vm1"), slot(2, "ct1"), slot(3, "vm1", { usb: { vendorid: "10c4", productid: "ea60" } })] } })).toEqual([
      'labfleet:hut.slots[0].usb: required: runner "vm1" is a virtual machine, which needs the adapter\'s vendorid/productid for USB passthrough',
    ]);
  });

  it("sizes and names are checked", () => {
    expect(problems({ lxd: { runners: [{ name: "r1", cloudInit: false, memory: "4G", diskSize: "lots", nodeChannel: "latest" }] } })).toEqual([
      "labfleet:lxd.runners[0].memory: must be a size like 4GiB",
      "labfleet:lxd.runners[0].diskSize: must be a size like 40GiB",
      "labfleet:lxd.runners[0].nodeChannel: must be a snap channel like 20/stable",
    ]);
  });

  it("wireguard: needs cloudInit and the labfleet:wireguard section", () => {
    expect(problems({ lxd: { runners: [{ name: "r1", cloudInit: false, wireguard: true }] } })).toEqual([
      "labfleet:lxd.runners[0].wireguard: needs cloudInit (the baseline installs wireguard-tools)",
    ]);
    expect(problems({ lxd: { runners: [{ name: "r1", sshPublicKey: KEY, wireguard: true }] } })).toEqual([
      "labfleet:lxd.runners[0].wireguard: needs the labfleet:wireguard section",
    ]);
  });
});
