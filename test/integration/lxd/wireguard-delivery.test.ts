/**
 * A runner host's rotated WireGuard key, delivered through the LXD file API (components/wireguard/
 * delivery.ts) into a real container on the real daemon: the new config lands 0600 next to the
 * old one and the peer's switch runs in the instance, detached, after its delay. The test image
 * (busybox) has no WireGuard, so `wg` in the container is a stand-in that records its calls and
 * answers a new handshake; the switch itself (the same script) is proven against real
 * wireguard-go in namespaces by test/integration/fleet/key-rotation.test.ts. Then the runner's
 * LxdInstanceFile finds the new config already in place and does not restart wg-quick.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import * as files from "../../../components/lxd/instance-file-impl.ts";
import * as instances from "../../../components/lxd/instance-impl.ts";
import { deliver } from "../../../components/wireguard/delivery.ts";
import { generateKeyPair } from "../../../components/wireguard/keys.ts";
import { cleanupInstances, client, containerInputs, instanceName, requireLxd, unixRemote } from "./lxd-env.ts";

const name = instanceName("wgrot");
let uuid: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string) => client.exec(name, ["sh", "-c", cmd], { timeoutSeconds: 20 });

async function checked(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await files.check(olds, news);
  if (!("inputs" in r)) throw new Error(JSON.stringify(r));
  return r.inputs;
}

// The stand-in `wg`: logs argv; `show <if> private-key` prints the running key, `latest-handshakes`
// a time that moves on its second reading after the switch (the hub's handshake with the new key).
const OLD = generateKeyPair();
const WG_STUB = `#!/bin/sh
echo "$*" >> /tmp/wg-calls
case "$*" in
  "show labfleet private-key") echo ${OLD.privateKey} ;;
  "show labfleet latest-handshakes")
    if [ -e /tmp/wg-calls.set ]; then echo x >> /tmp/hs-after-set; fi
    if [ "$(cat /tmp/hs-after-set 2>/dev/null | wc -l)" -ge 2 ]; then echo "HUB	2000"; else echo "HUB	1000"; fi ;;
  "set labfleet private-key "*) echo "$*" >> /tmp/wg-calls.set ;;
esac
`;

beforeAll(async () => {
  await requireLxd();
  const c = await instances.check({}, containerInputs(name));
  if (!("inputs" in c)) throw new Error(JSON.stringify(c));
  uuid = (await instances.create(c.inputs)).outs.uuid ?? "";
  await files.putFile(client, name, { path: "/usr/local/bin/wg", content: WG_STUB, mode: "0755", uid: 0, gid: 0 }).catch(async () => {
    await sh("mkdir -p /usr/local/bin");
    await files.putFile(client, name, { path: "/usr/local/bin/wg", content: WG_STUB, mode: "0755", uid: 0, gid: 0 });
  });
}, 180_000);
afterAll(cleanupInstances, 120_000);

it("pushes the new config into the instance (0600) and the switch runs there after its delay; the file resource then leaves it alone", async () => {
  const oldConf = `[Interface]\nPrivateKey = ${OLD.privateKey}\nAddress = 10.88.0.10/32\n`;
  const fileInputs = {
    remote: unixRemote,
    instance: name,
    instanceUuid: uuid,
    path: "/etc/wireguard/labfleet.conf",
    content: oldConf,
    mode: "0600",
    apply: ["sh", "-c", "echo restart >> /tmp/wg-quick-restarts"],
  };
  const created = await files.create(await checked({}, fileInputs));
  expect((await sh("cat /tmp/wg-quick-restarts")).stdout).toBe("restart\n");

  const next = generateKeyPair();
  const newConf = `[Interface]\nPrivateKey = ${next.privateKey}\nAddress = 10.88.0.10/32\n`;
  const d = { kind: "lxd" as const, remote: unixRemote, instance: name, interface: "labfleet", configDir: "/etc/wireguard" };
  const t0 = Date.now();
  await deliver("runner-test-01", d, undefined, newConf, { interface: "labfleet", configDir: "/etc/wireguard", delaySeconds: 1, boundSeconds: 5 });
  expect(Date.now() - t0).toBeLessThan(15_000);
  // Scheduled, not yet switched: the delay keeps the old key until the hub is ready.
  expect((await sh("cat /tmp/wg-calls.set 2>/dev/null; stat -c '%a' /etc/wireguard/labfleet.conf.new")).stdout).toBe("600\n");
  let log = "";
  for (let i = 0; i < 50 && !log.includes("switched"); i++) {
    await sleep(200);
    log = (await sh("cat /etc/wireguard/labfleet.rotate.log 2>/dev/null")).stdout;
  }
  expect(log).toContain("switched: handshake with the new key");
  expect((await sh("cat /tmp/wg-calls.set")).stdout).toBe("set labfleet private-key /etc/wireguard/labfleet.key.new\n");
  expect((await sh("cat /etc/wireguard/labfleet.conf; stat -c '%a' /etc/wireguard/labfleet.conf")).stdout).toBe(`${newConf}600\n`);
  expect((await sh("ls /etc/wireguard")).stdout.trim().split("\n").sort()).toEqual(["labfleet.conf", "labfleet.rotate.log"]);

  // The runner's LxdInstanceFile gets the same new content in the same up: already live, no restart.
  const news = await checked(created.outs, { ...fileInputs, content: newConf });
  expect(await files.diff("", created.outs, news)).toMatchObject({ changes: true, replaces: [] });
  await files.update("", created.outs, news);
  expect((await sh("cat /tmp/wg-quick-restarts")).stdout).toBe("restart\n");
}, 120_000);

it("a failing install in the instance (no wg there) fails the delivery naming the peer and the instance", async () => {
  await sh("rm /usr/local/bin/wg");
  const d = { kind: "lxd" as const, remote: unixRemote, instance: name, interface: "labfleet", configDir: "/etc/wireguard" };
  await expect(deliver("runner-test-01", d, undefined, "[Interface]\nPrivateKey = x\n", { interface: "labfleet", configDir: "/etc/wireguard", delaySeconds: 1, boundSeconds: 5 })).rejects.toThrow(
    new RegExp(`^cannot deliver the new key of peer "runner-test-01" \\(instance ${name} over LXD\\): scheduling the switch exited 3: wg is not installed$`),
  );
  expect((await sh("cat /tmp/wg-calls.set")).stdout).toBe("set labfleet private-key /etc/wireguard/labfleet.key.new\n");
}, 60_000);
