import { unknownValue } from "@pulumi/pulumi/runtime/rpc.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as impl from "../../../components/lxd/instance-impl.ts";
import type { InstanceOutputs } from "../../../components/lxd/instance-impl.ts";
import { FakeLxd, asyncOp, fixture, lxdError, opDone, sync } from "./fake-lxd.ts";

type Props = Record<string, unknown>;
const UNKNOWN = unknownValue;
const vmRecord = () => fixture<{ metadata: Record<string, unknown> }>("vm-instance").metadata;

function vmInputs(socket: string, extra: Props = {}): Props {
  return {
    remote: { kind: "unix", socket },
    name: "runner-01",
    type: "virtual-machine",
    image: { alias: "24.04", server: "https://cloud-images.ubuntu.com/releases" },
    limits: { cpu: 2, memory: "4GiB" },
    rootDisk: { size: "40GiB" },
    config: { "cloud-init.user-data": "#cloud-config\npackages: [git]\n" },
    devices: { "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" } },
    readiness: { timeoutSeconds: 60 },
    ...extra,
  };
}

async function checked(inputs: Props): Promise<Props> {
  const r = await impl.check({}, inputs);
  if (!("inputs" in r) || !r.inputs) throw new Error(JSON.stringify(r));
  return r.inputs;
}

function cloudInitDone(lxd: FakeLxd) {
  const out = { "1": "/1.0/instances/runner-01/logs/exec_ci.stdout" };
  lxd.on("POST", "/1.0/instances/runner-01/exec", asyncOp("ci", "Executing command"));
  lxd.on("GET", "/1.0/operations/ci/wait", opDone("ci", "Executing command", { output: out, return: 0 }));
  lxd.on("GET", out["1"], { text: "status: done\n" });
  lxd.on("DELETE", /\/logs\//, sync(null));
}

let lxd: FakeLxd;
beforeEach(async () => {
  lxd = await FakeLxd.start();
});
afterEach(async () => lxd.close());

describe("LxdInstance provider against recorded VM responses", () => {
  it("creates a VM from a simplestreams image with usb devices, root disk on the profile's pool, and waits for agent + cloud-init", async () => {
    lxd.on("GET", "/1.0/instances/runner-01", { status: 404, json: fixture("error-instance-not-found") }, { ...sync(vmRecord()), headers: { ETag: '"e1"' } });
    lxd.on("GET", "/1.0/profiles/default", { json: fixture("profile-default") });
    lxd.on("POST", "/1.0/instances", asyncOp("create", "Creating instance"));
    lxd.on("GET", "/1.0/operations/create/wait", opDone("create", "Creating instance"));
    lxd.on("PUT", "/1.0/instances/runner-01/state", asyncOp("start", "Starting instance"));
    lxd.on("GET", "/1.0/operations/start/wait", opDone("start", "Starting instance"));
    lxd.on("GET", "/1.0/instances/runner-01/state", sync(fixture<{ metadata: unknown }>("vm-state-agentless").metadata), sync(fixture<{ metadata: unknown }>("vm-state-agent").metadata));
    cloudInitDone(lxd);

    const { id, outs } = await impl.create(await checked(vmInputs(lxd.socket)));
    expect(id).toBe("runner-01");
    expect(lxd.seen("POST", "/1.0/instances")[0]?.body).toEqual({
      name: "runner-01",
      type: "virtual-machine",
      source: { type: "image", alias: "24.04", server: "https://cloud-images.ubuntu.com/releases", protocol: "simplestreams", mode: "pull" },
      profiles: ["default"],
      config: { "cloud-init.user-data": "#cloud-config\npackages: [git]\n", "limits.cpu": "2", "limits.memory": "4GiB" },
      devices: {
        "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" },
        root: { type: "disk", path: "/", pool: "labfleet", size: "40GiB" },
      },
      description: "",
    });
    expect(lxd.seen("PUT", "/1.0/instances/runner-01/state")[0]?.body).toEqual({ action: "start" });
    expect(lxd.seen("POST", "/1.0/instances/runner-01/exec")).toHaveLength(1);
    expect(outs).toMatchObject({ status: "Running", ipv4: "10.232.0.50", cloudInit: "done", drift: [] });
    expect(outs.baseImage).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a VM that fails to start (missing USB adapter) is removed again and the error says so", async () => {
    const stoppedVm = { ...vmRecord(), status: "Stopped", status_code: 102 };
    lxd.on("GET", "/1.0/instances/runner-01", { status: 404, json: fixture("error-instance-not-found") }, sync(stoppedVm), { status: 404, json: fixture("error-instance-not-found") });
    lxd.on("GET", "/1.0/profiles/default", { json: fixture("profile-default") });
    lxd.on("POST", "/1.0/instances", asyncOp("create", "Creating instance"));
    lxd.on("GET", "/1.0/operations/create/wait", opDone("create", "Creating instance"));
    lxd.on("PUT", "/1.0/instances/runner-01/state", asyncOp("start", "Starting instance"));
    lxd.on("GET", "/1.0/operations/start/wait", opDone("start", "Starting instance", null, "Failure", 'Failed to start device "hut-01-usb": Required USB device not found'));
    lxd.on("DELETE", "/1.0/instances/runner-01", asyncOp("del", "Deleting instance"));
    lxd.on("GET", "/1.0/operations/del/wait", opDone("del", "Deleting instance"));

    const e = await impl.create(await checked(vmInputs(lxd.socket))).catch((x: Error) => x);
    expect((e as Error).message).toMatch(
      /^cannot start instance "runner-01" on unix socket .*: .*Failed to start device "hut-01-usb": Required USB device not found; the instance was stopped and deleted$/,
    );
    expect(lxd.seen("DELETE", "/1.0/instances/runner-01")).toHaveLength(1);
  });

  it("updates in place with If-Match, re-reading once after a 412, keeping LXD's volatile keys", async () => {
    const current = vmRecord();
    lxd.on("GET", "/1.0/instances/runner-01", { ...sync(current), headers: { ETag: '"e1"' } }, { ...sync(current), headers: { ETag: '"e2"' } }, { ...sync(current), headers: { ETag: '"e3"' } });
    lxd.on("GET", "/1.0/profiles/default", { json: fixture("profile-default") });
    lxd.on("PUT", "/1.0/instances/runner-01", { status: 412, json: fixture("error-etag-mismatch") }, asyncOp("upd", "Updating instance"));
    lxd.on("GET", "/1.0/operations/upd/wait", opDone("upd", "Updating instance"));
    lxd.on("GET", "/1.0/instances/runner-01/state", sync(fixture<{ metadata: unknown }>("vm-state-agent").metadata));

    const olds = { ...(await checked(vmInputs(lxd.socket))), status: "Running", cloudInit: "done" };
    const news = await checked(vmInputs(lxd.socket, { limits: { cpu: 4, memory: "8GiB" } }));
    expect(await impl.diff("runner-01", olds, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    const { outs } = await impl.update("runner-01", olds, news);

    const puts = lxd.seen("PUT", "/1.0/instances/runner-01");
    expect(puts.map((p) => p.headers["if-match"])).toEqual(['"e1"', '"e2"']);
    const body = puts[1]?.body as { config: Record<string, string>; devices: Record<string, unknown>; architecture: string };
    expect(body.config["limits.cpu"]).toBe("4");
    expect(body.config["limits.memory"]).toBe("8GiB");
    expect(body.config["volatile.uuid"]).toBe(current.config && (current.config as Record<string, string>)["volatile.uuid"]);
    expect(body.config["volatile.vsock_id"]).toBe("42");
    expect(body.devices["hut-01-usb"]).toEqual({ type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" });
    expect(body.architecture).toBe("x86_64");
    // running VM: not restarted, cloud-init not re-run
    expect(lxd.seen("PUT", "/1.0/instances/runner-01/state")).toHaveLength(0);
    expect(lxd.seen("POST", /exec/)).toHaveLength(0);
    expect((outs as unknown as InstanceOutputs).cloudInit).toBe("done");
  });

  it("gives up after three ETag races with a clear error", async () => {
    lxd.on("GET", "/1.0/instances/runner-01", { ...sync(vmRecord()), headers: { ETag: '"e"' } });
    lxd.on("GET", "/1.0/profiles/default", { json: fixture("profile-default") });
    lxd.on("PUT", "/1.0/instances/runner-01", { status: 412, json: fixture("error-etag-mismatch") });
    const news = await checked(vmInputs(lxd.socket, { limits: { cpu: 4 } }));
    await expect(impl.update("runner-01", news, news)).rejects.toThrow(/^cannot update instance "runner-01" on unix socket .*failed \(412\): ETag doesn't match/);
    expect(lxd.seen("PUT", "/1.0/instances/runner-01")).toHaveLength(3);
  });

  it("read reports a usb device removed and a limit changed outside Pulumi", async () => {
    const live = vmRecord();
    (live.config as Record<string, string>)["limits.memory"] = "2GiB";
    lxd.on("GET", "/1.0/instances/runner-01", sync(live));
    lxd.on("GET", "/1.0/instances/runner-01/state", sync(fixture<{ metadata: unknown }>("vm-state-agent").metadata));
    const spec = await checked(
      vmInputs(lxd.socket, {
        devices: {
          "hut-01-usb": { type: "usb", vendorid: "10c4", productid: "ea60", serial: "5a1c" },
          "hut-02-usb": { type: "usb", vendorid: "1a86", productid: "55d4", serial: "5434019283" },
        },
      }),
    );
    const r = await impl.read("runner-01", { ...spec, status: "Running", cloudInit: "done" });
    const props = r.props as unknown as InstanceOutputs;
    expect(props.drift).toEqual(['config["limits.memory"]: declared "4GiB", live "2GiB"', "devices.hut-02-usb: removed outside Pulumi"]);
    expect(Object.keys((r.inputs as { devices: object }).devices)).toEqual(["hut-01-usb"]);
    expect(props.rootDisk).toEqual({ size: "40GiB" });
    expect(props.cloudInit).toBe("done");
  });

  it("delete: graceful stop, forced stop when that fails, then delete; a missing VM is success", async () => {
    lxd.on("GET", "/1.0/instances/runner-01", sync(vmRecord()), { status: 404, json: fixture("error-instance-not-found") });
    lxd.on("PUT", "/1.0/instances/runner-01/state", asyncOp("stop1", "Stopping instance"), asyncOp("stop2", "Stopping instance"));
    lxd.on("GET", "/1.0/operations/stop1/wait", opDone("stop1", "Stopping instance", null, "Failure", "Failed shutting down instance, status is \"Running\": context deadline exceeded"));
    lxd.on("GET", "/1.0/operations/stop2/wait", opDone("stop2", "Stopping instance"));
    lxd.on("DELETE", "/1.0/instances/runner-01", asyncOp("del", "Deleting instance"));
    lxd.on("GET", "/1.0/operations/del/wait", opDone("del", "Deleting instance"));
    const props = { ...(await checked(vmInputs(lxd.socket, { stopTimeoutSeconds: 45 }))), status: "Running" };
    await impl.delete("runner-01", props);
    expect(lxd.seen("PUT", "/1.0/instances/runner-01/state").map((r) => r.body)).toEqual([
      { action: "stop", timeout: 45 },
      { action: "stop", force: true },
    ]);
    expect(lxd.seen("DELETE", "/1.0/instances/runner-01")).toHaveLength(1);
    await impl.delete("runner-01", props);
    expect(lxd.seen("DELETE", "/1.0/instances/runner-01")).toHaveLength(1);
  });

  it("delete surfaces a daemon error with the instance named", async () => {
    lxd.on("GET", "/1.0/instances/runner-01", lxdError(500, "database is locked"));
    await expect(impl.delete("runner-01", await checked(vmInputs(lxd.socket)))).rejects.toThrow(
      /^cannot delete instance "runner-01" on unix socket .*failed \(500\): database is locked$/,
    );
  });
});

describe("diff", () => {
  const base = async (extra: Props = {}) => checked(vmInputs("/run/lxd.socket", extra));
  const outs = async (extra: Props = {}) => ({ ...(await base(extra)), status: "Running", ipv4: "10.0.0.2", cloudInit: "done", drift: [] });

  it("no change → no update", async () => {
    expect(await impl.diff("runner-01", await outs(), await base())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });

  it.each([
    ["a cloud-init key", { config: { "cloud-init.user-data": "#cloud-config\npackages: [jq]\n" } }, ["config"]],
    ["an added cloud-init key", { config: { "cloud-init.user-data": "#cloud-config\npackages: [git]\n", "cloud-init.vendor-data": "x" } }, ["config"]],
    ["the legacy user.user-data", { config: { "cloud-init.user-data": "#cloud-config\npackages: [git]\n", "user.user-data": "x" } }, ["config"]],
    ["the image alias", { image: { alias: "22.04", server: "https://cloud-images.ubuntu.com/releases" } }, ["image"]],
    ["alias → fingerprint", { image: { fingerprint: "a".repeat(64) } }, ["image"]],
    ["the image server", { image: { alias: "24.04", server: "https://images.example.org" } }, ["image"]],
    ["the type", { type: "container" }, ["type"]],
    ["the name", { name: "runner-02" }, ["name"]],
    ["the daemon", { remote: { kind: "unix", socket: "/var/snap/lxd/common/lxd/unix.socket" } }, ["remote"]],
    ["the project", { remote: { kind: "unix", socket: "/run/lxd.socket", project: "lab" } }, ["remote"]],
    ["the root disk pool", { rootDisk: { size: "40GiB", pool: "fast" } }, ["rootDisk"]],
  ])("changing %s replaces the instance", async (_what, change, replaces) => {
    expect(await impl.diff("runner-01", await outs(), await base(change))).toMatchObject({ changes: true, replaces, deleteBeforeReplace: true });
  });

  it.each([
    ["a limit", { limits: { cpu: 2, memory: "6GiB" } }],
    ["a plain config key", { config: { "cloud-init.user-data": "#cloud-config\npackages: [git]\n", "boot.autostart": "true" } }],
    ["a device", { devices: {} }],
    ["the root disk size", { rootDisk: { size: "60GiB" } }],
    ["the profiles", { profiles: ["default", "gpu"] }],
    ["the readiness timeout", { readiness: { timeoutSeconds: 1200 } }],
  ])("changing %s updates in place", async (_what, change) => {
    expect(await impl.diff("runner-01", await outs(), await base(change))).toMatchObject({ changes: true, replaces: [] });
  });

  it("a stopped instance (seen by refresh) is an update that starts it", async () => {
    expect(await impl.diff("runner-01", { ...(await outs()), status: "Stopped" }, await base())).toMatchObject({ changes: true, replaces: [] });
  });

  it("an https remote: a new pinned certificate or key is an update, a new URL a replacement", async () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const https = (url: string, pinned?: string, key = "-----BEGIN PRIVATE KEY-----\nk1\n-----END PRIVATE KEY-----\n") => ({
      remote: { kind: "https", url, clientCertificate: cert, ...(pinned ? { serverCertificate: pinned } : {}) },
      clientKey: key,
    });
    const o = await outs(https("https://lxd.example.org:8443"));
    expect((await impl.diff("runner-01", o, await base(https("https://lxd.example.org:8443", cert)))).replaces).toEqual([]);
    expect((await impl.diff("runner-01", o, await base(https("https://lxd.example.org:8443", undefined, "-----BEGIN PRIVATE KEY-----\nk2\n-----END PRIVATE KEY-----\n")))).changes).toBe(true);
    expect((await impl.diff("runner-01", o, await base(https("https://lxd2.example.org:8443")))).replaces).toEqual(["remote"]);
  });

  it("during a preview, an unknown cloud-init value means replace, an unknown plain value update", async () => {
    const ci = { ...(await base()), config: { "cloud-init.user-data": UNKNOWN, "limits.cpu": "2", "limits.memory": "4GiB" } };
    expect(await impl.diff("runner-01", await outs(), ci)).toMatchObject({ changes: true, replaces: ["config"] });
    const plain = { ...(await base()), description: UNKNOWN };
    expect(await impl.diff("runner-01", await outs(), plain)).toMatchObject({ changes: true, replaces: [] });
  });
});

describe("check", () => {
  it("normalises limits into config and applies defaults", async () => {
    const r = await checked(vmInputs("/run/lxd.socket"));
    expect(r).toMatchObject({
      config: { "limits.cpu": "2", "limits.memory": "4GiB" },
      profiles: ["default"],
      readiness: { timeoutSeconds: 60, ipv4: true, cloudInit: true },
      stopTimeoutSeconds: 30,
      remote: { kind: "unix", socket: "/run/lxd.socket", project: "default" },
    });
    expect(r).not.toHaveProperty("limits");
    expect(await impl.check({}, r)).toEqual({ inputs: r });
  });

  it("names each bad input", async () => {
    const r = await impl.check({}, {
      ...vmInputs("relative/socket"),
      image: { alias: "x", fingerprint: "abcdefabcdef" },
      limits: { cpu: 2, memory: "lots" },
      config: { "limits.cpu": "4", "image.os": "x" },
      devices: { eth1: { network: "br0" } },
      rootDisk: { size: "40GiB" },
    });
    expect("failures" in r && r.failures).toEqual(
      expect.arrayContaining([
        { property: "remote.socket", reason: "must be an absolute path" },
        { property: "image", reason: "set exactly one of alias or fingerprint" },
        { property: "limits.memory", reason: "must be a size like 4GiB" },
        { property: "config.image.os", reason: "is managed by LXD and cannot be set" },
        { property: "devices.eth1", reason: "a device needs a type" },
      ]),
    );
  });

  it("an https remote needs the client key; conflicting limits are refused", async () => {
    const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const r = await impl.check({}, { ...vmInputs("/x"), remote: { kind: "https", url: "https://lxd.example.org:8443", clientCertificate: cert } });
    expect("failures" in r && r.failures).toEqual([{ property: "clientKey", reason: "required for an https remote (labfleet:lxdClientKey)" }]);
    const c = await impl.check({}, { ...vmInputs("/x"), config: { "limits.cpu": "4" } });
    expect("failures" in c && c.failures).toEqual([{ property: "limits.cpu", reason: 'conflicts with config["limits.cpu"]' }]);
  });

  it("tolerates values still unknown during a preview", async () => {
    const news = { ...vmInputs("/x"), clientKey: UNKNOWN, name: UNKNOWN };
    expect(await impl.check({}, news)).toEqual({ inputs: news });
  });
});
