import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as files from "../../../components/lxd/instance-file-impl.ts";
import type { FileOutputs } from "../../../components/lxd/instance-file-impl.ts";
import * as instances from "../../../components/lxd/instance-impl.ts";
import { ANSWERS, cleanupInstances, client, containerInputs, instanceName, requireLxd, unixRemote } from "./lxd-env.ts";

/** LxdInstanceFile (how the runner's WireGuard config gets in) against a real container. */

type Props = Record<string, unknown>;
const name = instanceName("file");
let uuid: string;

async function sh(cmd: string) {
  return client.exec(name, ["sh", "-c", cmd], { timeoutSeconds: 20 });
}

async function checked(inputs: Props): Promise<Props> {
  const r = await files.check({}, inputs);
  if (!("inputs" in r)) throw new Error(JSON.stringify(r));
  return r.inputs;
}

const fileInputs = (extra: Props = {}): Props => ({
  remote: unixRemote,
  instance: name,
  instanceUuid: uuid,
  path: "/etc/labfleet-test/peer.conf",
  content: "[Interface]\nPrivateKey = secret-one\n",
  mode: "0640",
  apply: ["sh", "-c", "cat /etc/labfleet-test/peer.conf > /tmp/applied; echo x >> /tmp/apply-count"],
  remove: ["sh", "-c", "touch /tmp/removed"],
  ...extra,
});

beforeAll(async () => {
  await requireLxd();
  const c = await instances.check({}, containerInputs(name));
  if (!("inputs" in c)) throw new Error(JSON.stringify(c));
  const r = await instances.create(c.inputs);
  uuid = r.outs.uuid ?? "";
  expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
});
afterAll(cleanupInstances);

describe("LxdInstanceFile on the real LXD daemon", () => {
  let outs: FileOutputs;

  it("writes the file (parent directory created, mode, owner) and runs the apply command", async () => {
    const r = await files.create(await checked(fileInputs()));
    expect(r.id).toBe(`${name}:/etc/labfleet-test/peer.conf`);
    outs = r.outs as unknown as FileOutputs;
    expect(outs.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await sh("stat -c '%a %u %g' /etc/labfleet-test/peer.conf")).stdout).toBe("640 0 0\n");
    expect((await sh("stat -c '%a' /etc/labfleet-test")).stdout).toBe("755\n");
    expect((await sh("cat /tmp/applied")).stdout).toBe("[Interface]\nPrivateKey = secret-one\n");
    expect((await sh("wc -l < /tmp/apply-count")).stdout.trim()).toBe("1");
  });

  it("read reports changes made inside the instance, update puts the file back and re-applies", async () => {
    expect(((await files.read(outs.instance, outs as unknown as Props)).props as unknown as FileOutputs).drift).toEqual([]);
    await sh("echo tampered > /etc/labfleet-test/peer.conf; chmod 644 /etc/labfleet-test/peer.conf");
    const r = await files.read(`${name}:/etc/labfleet-test/peer.conf`, outs as unknown as Props);
    const props = r.props as unknown as FileOutputs;
    expect(props.drift).toHaveLength(2);
    expect(props.drift[0]).toMatch(/^content: changed inside the instance \(sha256 [0-9a-f]{12}, declared [0-9a-f]{12}\)$/);
    expect(props.drift[1]).toBe("mode: declared 0640, live 0644");
    expect(props.drift.join(" ")).not.toContain("secret-one");
    expect(props.content).toBe("tampered\n");
    const wanted = await checked(fileInputs());
    expect(await files.diff("", r.props as Props, wanted)).toMatchObject({ changes: true, replaces: [] });
    outs = (await files.update("", r.props as Props, wanted)).outs as unknown as FileOutputs;
    expect((await sh("cat /etc/labfleet-test/peer.conf; stat -c '%a' /etc/labfleet-test/peer.conf")).stdout).toBe("[Interface]\nPrivateKey = secret-one\n640\n");
    expect((await sh("wc -l < /tmp/apply-count")).stdout.trim()).toBe("2");
  });

  it("a new content (key rotation) is an in-place rewrite; a new instance means replace", async () => {
    const rotated = await checked(fileInputs({ content: "[Interface]\nPrivateKey = secret-two\n" }));
    expect(await files.diff("", outs as unknown as Props, rotated)).toMatchObject({ changes: true, replaces: [] });
    const next = (await files.update("", outs as unknown as Props, rotated)).outs as unknown as FileOutputs;
    expect(next.sha256).not.toBe(outs.sha256);
    expect((await sh("cat /tmp/applied")).stdout).toBe("[Interface]\nPrivateKey = secret-two\n");
    outs = next;
    const moved = await checked(fileInputs({ content: "[Interface]\nPrivateKey = secret-two\n", instanceUuid: "00000000-0000-0000-0000-000000000000" }));
    expect((await files.diff("", outs as unknown as Props, moved)).replaces).toEqual(["instanceUuid"]);
  });

  it("a failing apply command is an error naming the command and its output; a new file is taken away again", async () => {
    const bad = await checked(fileInputs({ path: "/etc/labfleet-test/bad.conf", apply: ["sh", "-c", "echo wg-quick: cannot parse >&2; exit 3"] }));
    await expect(files.create(bad)).rejects.toThrow(
      /^apply command "sh -c echo wg-quick: cannot parse >&2; exit 3" in instance "lft-.*-file" on unix socket .* exited 3: wg-quick: cannot parse; the file was removed again$/,
    );
    expect((await sh("test -e /etc/labfleet-test/bad.conf; echo $?")).stdout).toBe("1\n");
  });

  it("a secret 0600 root file (config.toml) replaces a looser one left by a package; mode/owner read back through the file API", async () => {
    // what the gitlab-runner package may leave before RunnerHost pushes config.toml: a 0644 file of another owner
    await sh("mkdir -p /etc/gitlab-runner-test && printf 'concurrent = 1\\n' > /etc/gitlab-runner-test/config.toml && chmod 644 /etc/gitlab-runner-test/config.toml && chown 1000:1000 /etc/gitlab-runner-test/config.toml");
    const secret = 'concurrent = 1\n\n[[runners]]\n  token = "glrt-integration-secret"\n';
    const inputs = await checked(
      fileInputs({
        path: "/etc/gitlab-runner-test/config.toml",
        content: secret,
        mode: "0600",
        uid: 0,
        gid: 0,
        apply: ["sh", "-c", "chmod 0700 /etc/gitlab-runner-test"],
        remove: undefined,
      }),
    );
    const created = (await files.create(inputs)).outs as unknown as FileOutputs;
    const api = await client.raw("GET", `/1.0/instances/${name}/files?path=${encodeURIComponent("/etc/gitlab-runner-test/config.toml")}`);
    expect(api.status).toBe(200);
    const h = (res: typeof api, k: string) => res.headers[`${ANSWERS.fileHeader}${k}`];
    expect([h(api, "type"), h(api, "mode"), h(api, "uid"), h(api, "gid")]).toEqual(["file", "0600", "0", "0"]);
    expect(api.text).toBe(secret);
    const dir = await client.raw("GET", `/1.0/instances/${name}/files?path=${encodeURIComponent("/etc/gitlab-runner-test")}`);
    expect([h(dir, "type"), h(dir, "mode"), h(dir, "uid")]).toEqual(["directory", "0700", "0"]);
    // the provider's own read agrees and reports no drift; nothing it returns besides content holds the secret
    const r = await files.read(created.instance, created as unknown as Props);
    const props = r.props as unknown as FileOutputs;
    expect([props.mode, props.uid, props.gid, props.drift]).toEqual(["0600", 0, 0, []]);
    const { content: _content, ...rest } = props;
    expect(JSON.stringify(rest)).not.toContain("glrt-integration-secret");
    // drift to a looser mode is reported without the content and repaired by update
    await sh("chmod 644 /etc/gitlab-runner-test/config.toml");
    const drifted = (await files.read(created.instance, created as unknown as Props)).props as unknown as FileOutputs;
    expect(drifted.drift).toEqual(["mode: declared 0600, live 0644"]);
    await files.update("", drifted as unknown as Props, inputs);
    const again = await client.raw("GET", `/1.0/instances/${name}/files?path=${encodeURIComponent("/etc/gitlab-runner-test/config.toml")}`);
    expect([h(again, "mode"), h(again, "uid"), again.text]).toEqual(["0600", "0", secret]);
    await files.delete(created.instance, created as unknown as Props);
  });

  it("owner by user name: resolved in the instance, missing parents created with dirMode for that user; a wrong owner is drift", async () => {
    await sh("echo 'agent:x:1001:1002::/home/agent:/bin/sh' >> /etc/passwd; echo 'agent:x:1002:' >> /etc/group; mkdir -p /home/agent; chown 1001:1002 /home/agent");
    const path = "/home/agent/.config/labfleet/credentials/gitlab/example.org/runner.env";
    const inputs = await checked(fileInputs({ path, content: "GITLAB_PAT=glpat-owner-secret\n", mode: "0600", owner: "agent", dirMode: "0700", apply: undefined, remove: undefined }));
    const created = (await files.create(inputs)).outs as unknown as FileOutputs;
    expect((await sh(`stat -c '%a %u:%g' ${path} /home/agent/.config /home/agent/.config/labfleet/credentials/gitlab/example.org`)).stdout).toBe("600 1001:1002\n700 1001:1002\n700 1001:1002\n");
    expect(((await files.read(created.instance, created as unknown as Props)).props as unknown as FileOutputs).drift).toEqual([]);
    await sh(`chown 0:0 ${path}`);
    const drifted = (await files.read(created.instance, created as unknown as Props)).props as unknown as FileOutputs;
    expect(drifted.drift).toEqual(["owner: declared agent, live 0:0"]);
    expect([drifted.uid, drifted.gid]).toEqual([0, 0]); // the declared (unused) ids: only the drift entry changes the plan
    await files.update("", drifted as unknown as Props, inputs);
    expect((await sh(`stat -c '%u:%g' ${path}`)).stdout).toBe("1001:1002\n");
    const nobody = await checked(fileInputs({ path: "/home/agent/x.env", owner: "nobody-here", apply: undefined }));
    await expect(files.create(nobody)).rejects.toThrow(/^owner: user "nobody-here" does not exist in instance "lft-.*-file" on unix socket /);
    expect(await files.check({}, fileInputs({ owner: "agent", uid: 5 }))).toMatchObject({ failures: [{ property: "owner", reason: "set either owner or uid/gid, not both" }] });
    await files.delete(created.instance, created as unknown as Props);
  });

  it("delete runs the remove command and removes the file; again is fine; a gone instance is fine", async () => {
    await files.delete(outs.instance, outs as unknown as Props);
    expect((await sh("test -e /etc/labfleet-test/peer.conf; echo $?; test -e /tmp/removed; echo $?")).stdout).toBe("1\n0\n");
    await files.delete(outs.instance, outs as unknown as Props);
    expect(await files.read("", outs as unknown as Props)).toEqual({});
    await instances.stopAndDelete(client, name, 0, 60);
    await files.delete(outs.instance, outs as unknown as Props);
  });
});
