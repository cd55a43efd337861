import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as files from "../../../components/lxd/instance-file-impl.ts";
import { FakeLxd, fixture, sync } from "./fake-lxd.ts";

type Props = Record<string, unknown>;
const base = (socket: string, extra: Props = {}): Props => ({
  remote: { kind: "unix", socket },
  instance: "runner-01",
  instanceUuid: "6b9f3c2e-0000-4000-8000-000000000001",
  path: "/etc/wireguard/labfleet.conf",
  content: "[Interface]\n",
  ...extra,
});

async function checked(p: Props): Promise<Props> {
  const r = await files.check({}, p);
  if (!("inputs" in r)) throw new Error(JSON.stringify(r));
  return r.inputs;
}

let lxd: FakeLxd;
beforeEach(async () => {
  lxd = await FakeLxd.start();
});
afterEach(async () => lxd.close());

describe("LxdInstanceFile provider", () => {
  it("check: defaults 0600 root:root, names bad inputs", async () => {
    expect(await checked(base("/s", { mode: "640" }))).toMatchObject({ mode: "0640", uid: 0, gid: 0, execTimeoutSeconds: 120 });
    expect(await checked(base("/s"))).toMatchObject({ mode: "0600" });
    const r = await files.check({}, base("/s", { path: "etc/../x/", mode: "rwx", apply: [] }));
    expect("failures" in r && r.failures.map((f) => f.property)).toEqual(["path", "path", "mode", "apply"]);
  });

  it("diff: content/mode/apply are updates; instance, its uuid, path and remote replace", async () => {
    const o = { ...(await checked(base("/s"))), sha256: "x", drift: [] };
    expect(await files.diff("", o, await checked(base("/s")))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
    expect(await files.diff("", o, await checked(base("/s", { content: "new" })))).toMatchObject({ changes: true, replaces: [] });
    expect(await files.diff("", o, await checked(base("/s", { mode: "0640" })))).toMatchObject({ changes: true, replaces: [] });
    expect((await files.diff("", o, await checked(base("/s", { instanceUuid: "other" })))).replaces).toEqual(["instanceUuid"]);
    expect((await files.diff("", o, await checked(base("/s", { path: "/etc/wireguard/wg1.conf" })))).replaces).toEqual(["path"]);
    expect((await files.diff("", o, await checked(base("/other.socket")))).replaces).toEqual(["remote"]);
    expect(await files.diff("", { ...o, drift: ["mode: declared 0600, live 0644"] }, await checked(base("/s")))).toMatchObject({ changes: true });
  });

  it("delete on a stopped VM says the agent is needed instead of pretending", async () => {
    const vm = fixture<{ metadata: Record<string, unknown> }>("vm-instance").metadata;
    lxd.on("GET", "/1.0/instances/runner-01", sync({ ...vm, status: "Stopped", status_code: 102 }));
    await expect(files.delete("runner-01:/etc/wireguard/labfleet.conf", await checked(base(lxd.socket, { remove: ["true"] })))).rejects.toThrow(
      /^cannot remove \/etc\/wireguard\/labfleet\.conf in instance "runner-01" on unix socket .*: the VM is Stopped \(its agent is needed\); start it, or delete the instance$/,
    );
    expect(lxd.seen("POST", /exec/)).toHaveLength(0);
    expect(lxd.seen("DELETE", /files/)).toHaveLength(0);
  });

  it("read of a file whose instance is gone says gone", async () => {
    lxd.on("GET", /\/files\?path=/, { status: 404, json: fixture("error-instance-not-found") });
    expect(await files.read("x", await checked(base(lxd.socket)))).toEqual({});
  });
});
