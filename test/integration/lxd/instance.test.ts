import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LxdInstance as LxdInstanceSchema } from "../../../components/lxd/api.ts";
import { LxdError } from "../../../components/lxd/client.ts";
import * as impl from "../../../components/lxd/instance-impl.ts";
import type { InstanceOutputs } from "../../../components/lxd/instance-impl.ts";
import { ANSWERS, BRIDGE_PREFIX, IMAGE, POOL, SOCKET, cleanupInstances, cli, client, containerInputs, instanceName, requireLxd } from "./lxd-env.ts";

type Props = Record<string, unknown>;

async function checked(inputs: Props): Promise<Props> {
  const r = await impl.check({}, inputs);
  if (!("inputs" in r) || !r.inputs) throw new Error(`check failed: ${JSON.stringify(r)}`);
  return r.inputs;
}

async function live(name: string) {
  return client.get(`/1.0/instances/${name}`, LxdInstanceSchema);
}

beforeAll(requireLxd);
afterAll(cleanupInstances);

describe("LxdInstance on the real LXD daemon: lifecycle", () => {
  const name = instanceName("life");
  let inputs: Props;
  let outs: InstanceOutputs;
  let uuid: string | undefined;

  it("creates a container that runs, reads back its IPv4 and runs commands", async () => {
    inputs = await checked(containerInputs(name, { limits: { cpu: 1, memory: "256MiB" }, rootDisk: { size: "2GiB" }, config: { "user.purpose": "lifecycle" } }));
    const r = await impl.create(inputs);
    expect(r.id).toBe(name);
    outs = r.outs;
    expect(outs.status).toBe("Running");
    expect(outs.ipv4?.startsWith(BRIDGE_PREFIX)).toBe(true);
    expect(outs.cloudInit).toBe("skipped");
    expect(outs.drift).toEqual([]);

    const inst = (await live(name)).value;
    expect(inst.status).toBe("Running");
    expect(inst.config["limits.cpu"]).toBe("1");
    expect(inst.config["limits.memory"]).toBe("256MiB");
    expect(inst.devices.root).toEqual({ type: "disk", path: "/", pool: POOL, size: "2GiB" });
    expect(outs.baseImage).toBe(inst.config["volatile.base_image"]);
    uuid = inst.config["volatile.uuid"];

    const ex = await client.exec(name, ["sh", "-c", "hostname; echo to-stderr >&2; exit 7"], { timeoutSeconds: 20 });
    expect(ex).toEqual({ exitCode: 7, stdout: `${name}\n`, stderr: "to-stderr\n" });
    // the address LXD reports is the one inside the container
    const ip = await client.exec(name, ["ip", "-4", "-o", "addr", "show", "eth0"], { timeoutSeconds: 20 });
    expect(ip.stdout).toContain(`inet ${outs.ipv4}/`);
  });

  it("reads the unchanged instance back without drift", async () => {
    const r = await impl.read(name, outs as unknown as Props);
    expect(r.id).toBe(name);
    expect((r.props as unknown as InstanceOutputs).drift).toEqual([]);
    const d = await impl.diff(name, r.props as Props, inputs);
    expect(d).toMatchObject({ changes: false, replaces: [] });
  });

  it("updates a live-updatable key in place: no replacement, same instance, ETag honoured", async () => {
    const next = await checked(containerInputs(name, { limits: { cpu: 1, memory: "128MiB" }, rootDisk: { size: "2GiB" }, config: { "user.purpose": "updated" } }));
    const d = await impl.diff(name, outs as unknown as Props, next);
    expect(d).toMatchObject({ changes: true, replaces: [] });

    const before = await live(name);
    const u = await impl.update(name, outs as unknown as Props, next);
    outs = u.outs as unknown as InstanceOutputs;
    const after = await live(name);
    expect(after.value.config["limits.memory"]).toBe("128MiB");
    expect(after.value.config["user.purpose"]).toBe("updated");
    expect(after.value.config["volatile.uuid"]).toBe(uuid);
    expect(after.value.status).toBe("Running");
    expect(after.etag).not.toBe(before.etag);
    expect(outs.status).toBe("Running");
    // the daemon really enforces If-Match: the ETag read before the update is now stale
    const stale = client.operate("PUT", `/1.0/instances/${name}`, 30, { body: { ...before.value }, ifMatch: before.etag });
    await expect(stale).rejects.toMatchObject({ kind: "api", status: 412 });
    await expect(stale).rejects.toThrow(/ETag doesn't match/);
    expect((await live(name)).value.config["limits.memory"]).toBe("128MiB");
    inputs = next;
  });

  it("says replace for keys LXD cannot live-update (cloud-init, image, type)", async () => {
    const ci = await checked(containerInputs(name, { limits: { cpu: 1, memory: "128MiB" }, rootDisk: { size: "2GiB" }, config: { "user.purpose": "updated", "cloud-init.user-data": "#cloud-config\n{}\n" } }));
    expect(await impl.diff(name, outs as unknown as Props, ci)).toMatchObject({ changes: true, replaces: ["config"], deleteBeforeReplace: true });
    const img = { ...inputs, image: { alias: "another-image" } };
    expect((await impl.diff(name, outs as unknown as Props, img)).replaces).toEqual(["image"]);
    const vm = { ...inputs, type: "virtual-machine" };
    expect((await impl.diff(name, outs as unknown as Props, vm)).replaces).toEqual(["type"]);
    // nothing was touched by diffing
    expect((await live(name)).value.config["volatile.uuid"]).toBe(uuid);
  });

  it("reports drift made with `lxc config set` and `lxc stop`, and update repairs it", async () => {
    await cli("config", "set", name, "limits.memory", "96MiB");
    await cli("config", "set", name, "user.extra", "by-hand");
    await cli("config", "device", "add", name, "scratch", "disk", "source=/tmp", "path=/mnt/scratch");
    await cli("stop", name);
    const r = await impl.read(name, outs as unknown as Props);
    const props = r.props as unknown as InstanceOutputs;
    expect(props.drift).toEqual([
      'config["limits.memory"]: declared "128MiB", live "96MiB"',
      'config["user.extra"]: declared unset, live (value hidden)',
      "devices.scratch: added outside Pulumi (type disk)",
      "status: declared Running, live Stopped",
    ]);
    expect(props.status).toBe("Stopped");
    expect(props.config["limits.memory"]).toBe("96MiB");
    expect((r.inputs as Props).config).toMatchObject({ "limits.memory": "96MiB", "user.extra": "by-hand" });

    const d = await impl.diff(name, r.props as Props, inputs);
    expect(d).toMatchObject({ changes: true, replaces: [] });
    const u = await impl.update(name, r.props as Props, inputs);
    outs = u.outs as unknown as InstanceOutputs;
    expect(outs.status).toBe("Running");
    expect(outs.ipv4?.startsWith(BRIDGE_PREFIX)).toBe(true);
    const after = (await live(name)).value;
    expect(after.config["limits.memory"]).toBe("128MiB");
    expect(after.config["user.extra"]).toBeUndefined();
    expect(after.devices.scratch).toBeUndefined();
    expect(after.config["volatile.uuid"]).toBe(uuid);
    expect(((await impl.read(name, outs as unknown as Props)).props as unknown as InstanceOutputs).drift).toEqual([]);
  });

  it("deletes (stop then delete); deleting again succeeds; read then says gone", async () => {
    await impl.delete(name, outs as unknown as Props);
    await expect(live(name)).rejects.toMatchObject({ kind: "api", status: 404 });
    await impl.delete(name, outs as unknown as Props);
    expect(await impl.read(name, outs as unknown as Props)).toEqual({});
  });
});

describe("LxdInstance on the real LXD daemon: failures leave nothing behind", () => {
  it("rejects an unknown image with a clear error and creates nothing", async () => {
    const name = instanceName("noimg");
    const inputs = await checked(containerInputs(name, { image: { alias: `no-such-image-${name}` } }));
    const err = await impl.create(inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`cannot create instance "${name}" on unix socket .*: image alias "no-such-image-${name}" not found \\(no image server given.*\\): ${ANSWERS.missingImage}$`));
    await expect(live(name)).rejects.toMatchObject({ status: 404 });
  });

  it("refuses to take over an existing instance of the same name and leaves it alone", async () => {
    const name = instanceName("clash");
    await cli("init", IMAGE, name);
    const before = (await live(name)).value.config["volatile.uuid"];
    const inputs = await checked(containerInputs(name));
    await expect(impl.create(inputs)).rejects.toThrow(/already exists/);
    const after = await live(name);
    expect(after.value.config["volatile.uuid"]).toBe(before);
    expect(after.value.status).toBe("Stopped");
  });

  it("names the bad input in check", async () => {
    const r = await impl.check({}, { ...containerInputs("9bad"), config: { "volatile.uuid": "x" }, readiness: { timeoutSeconds: -1 } });
    expect("failures" in r && r.failures?.map((f) => f.property).sort()).toEqual(["config.volatile.uuid", "name", "readiness.timeoutSeconds"]);
  });

  it("turns LXD error envelopes into errors naming the call and the daemon", async () => {
    const e = await client.call("GET", "/1.0/instances/lft-definitely-missing").catch((x: LxdError) => x);
    expect(e).toBeInstanceOf(LxdError);
    expect((e as LxdError).message).toBe(`LXD GET /1.0/instances/lft-definitely-missing on unix socket ${SOCKET} ${ANSWERS.missingInstance("lft-definitely-missing")}`);
  });
});
