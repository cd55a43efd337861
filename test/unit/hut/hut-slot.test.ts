import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { HutSlot } from "../../../components/hut/hut-slot.ts";
import type { SlotConfig } from "../../../hardware/schema/inventory.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { parseStackConfig } from "../../../stacks/config/index.ts";
import { program } from "../../../stacks/program.ts";
import { SECRET_SIG, SIG_KEY } from "../../../tools/plan/values.ts";

/** Mock-runtime tests: the HutAction resources' argv, connection, triggers and secret environment. */

const ACTION = "pulumi-nodejs:dynamic/hut:HutAction";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "labfleet",
    "staging",
  );
});

/** Paths (a.b[0]) of secret values in mock inputs, and the inputs with secrets unwrapped. */
function inspect(value: unknown, path = ""): { plain: unknown; secrets: string[] } {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) {
      const inner = inspect(o.value, path);
      return { plain: inner.plain, secrets: [path, ...inner.secrets] };
    }
    const plain: Record<string, unknown> = {};
    const secrets: string[] = [];
    for (const [k, v] of Object.entries(o)) {
      const r = inspect(v, path ? `${path}.${k}` : k);
      plain[k] = r.plain;
      secrets.push(...r.secrets);
    }
    return { plain, secrets };
  }
  if (Array.isArray(value)) {
    const secrets: string[] = [];
    const plain = value.map((v, i) => {
      const r = inspect(v, `${path}[${i}]`);
      secrets.push(...r.secrets);
      return r.plain;
    });
    return { plain, secrets };
  }
  return { plain: value, secrets: [] };
}

function settle(...resources: (pulumi.Resource | undefined)[]) {
  return Promise.all(resources.filter(Boolean).map((r) => new Promise((res) => (r as pulumi.Resource).urn.apply(res))));
}

function find(name: string) {
  const r = registered.find((x) => x.name === name);
  if (!r) throw new Error(`${name} not registered (have ${registered.map((x) => x.name).join(", ")})`);
  const { plain, secrets } = inspect(r.inputs);
  return { type: r.type, inputs: plain as Record<string, unknown>, secrets };
}

function slot(id: string, runner: string, extra: Record<string, unknown> = {}): SlotConfig {
  const inv = Inventory.parse({
    slots: [{ id, label: `esp32-${id}`, runner, serialById: `/dev/serial/by-id/usb-${id}`, relay: { entity: `switch.${id.replace("-", "_")}_power` }, ...extra }],
  });
  return inv.slots[0]!;
}

const tags = { environment: "staging", stack: "staging" };
const FW = { path: "/srv/firmware/lab node.bin", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", commitSha: "3f2c1a9" };
const HA = { url: "https://ha.example.org", requestTimeoutSeconds: 10, pollIntervalSeconds: 1, stateTimeoutSeconds: 30 };
const TOKEN = "ha-token-value-1234567890";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nkeymaterial\n-----END OPENSSH PRIVATE KEY-----";

describe("HutSlot on a remote runner", () => {
  it("declares HutActions with the runner connection, a secret key and secret HA environment", async () => {
    const s = new HutSlot("hut-11", {
      slot: slot("hut-11", "runner-a", { chip: "esp32s3" }),
      connection: { host: pulumi.output("10.88.0.10"), user: "runner" },
      privateKey: pulumi.output(KEY),
      homeAssistant: HA,
      haToken: pulumi.output(TOKEN),
      firmware: FW,
      powerCycleNonce: "2024-06-01",
      hutCommand: "hut",
      tags,
    });
    await settle(s, s.flash, s.powerCycle);

    const flash = find("hut-11-flash");
    expect(flash.type).toBe(ACTION);
    expect(flash.inputs.connection).toMatchObject({ host: "10.88.0.10", user: "runner", privateKey: KEY });
    // A secret nested in an input object makes the whole top-level input secret.
    expect(flash.secrets).toEqual(["connection"]);
    expect(flash.inputs.triggers).toEqual([FW.sha256, FW.commitSha, "/dev/serial/by-id/usb-hut-11", "esp32s3"]);
    expect(flash.inputs.argv).toEqual(["hut", "flash", "--inventory", "-", "--slot", "hut-11", "--firmware", "/srv/firmware/lab node.bin", "--sha256", FW.sha256, "--json"]);
    expect(flash.inputs.runFlags).toEqual(["--wait", "300"]); // a lock-wait change never re-flashes
    expect(flash.inputs.update).toBeUndefined();
    expect(flash.inputs.environment).toBeUndefined();
    const stdin = JSON.parse(String(flash.inputs.stdin));
    expect(stdin.slots[0]).toMatchObject({ id: "hut-11", chip: "esp32s3", serialById: "/dev/serial/by-id/usb-hut-11" });
    expect(Inventory.safeParse(stdin).success).toBe(true);

    const pc = find("hut-11-power-cycle");
    expect(pc.type).toBe(ACTION);
    expect(pc.inputs.argv).toEqual(["hut", "power-cycle", "--inventory", "-", "--slot", "hut-11", "--json"]);
    expect(pc.inputs.runFlags).toEqual(["--wait", "300"]);
    expect(pc.inputs.triggers).toEqual(["2024-06-01"]);
    expect(pc.inputs.environment).toEqual({ HA_URL: HA.url, HA_TOKEN: TOKEN });
    expect(pc.secrets.sort()).toEqual(["connection", "environment"]);
    for (const r of [flash, pc]) {
      expect(JSON.stringify(r.inputs.argv)).not.toContain(TOKEN);
      expect(String(r.inputs.stdin)).not.toContain(TOKEN);
    }
    expect(s.outputs()).toEqual({
      id: "hut-11",
      label: "esp32-hut-11",
      runner: "runner-a",
      serialById: "/dev/serial/by-id/usb-hut-11",
      relayEntity: "switch.hut_11_power",
      chip: "esp32s3",
    });
  });

  it("a flash by commit from a cloud store fetches here and transfers the image; triggers, argv and stdin stay those of a flash by commit", async () => {
    const commit = "3f2c1a97e5d4b8c6a1f0e9d8c7b6a5f4e3d2c1b0";
    const remote = { connection: { host: pulumi.output("10.88.0.10"), user: "runner" }, privateKey: pulumi.output(KEY), hutCommand: "hut", tags };
    const cloud = new HutSlot("hut-13", { ...remote, slot: slot("hut-13", "runner-a", { chip: "esp32s3" }), firmware: { sha: commit }, artifactStore: "gs://fw-bucket/builds" });
    const file = new HutSlot("hut-14", { ...remote, slot: slot("hut-14", "runner-a"), firmware: { sha: commit }, artifactStore: "file:///srv/artifacts" });
    const here = new HutSlot("hut-15", { slot: slot("hut-15", "local"), firmware: { sha: commit }, artifactStore: "s3://fw-bucket", hutCommand: "hut", tags });
    await settle(cloud, cloud.flash, file, file.flash, here, here.flash);

    const flash = find("hut-13-flash");
    expect(flash.inputs.transfer).toEqual({ store: "gs://fw-bucket/builds", sha: commit, chip: "esp32s3" });
    expect(flash.inputs.argv).toEqual(["hut", "flash", "--inventory", "-", "--slot", "hut-13", "--sha", commit, "--json"]);
    expect(flash.inputs.triggers).toEqual([commit, "/dev/serial/by-id/usb-hut-13", "esp32s3"]);
    expect(JSON.parse(String(flash.inputs.stdin)).artifacts).toEqual({ store: "gs://fw-bucket/builds" });
    expect(flash.secrets).toEqual(["connection"]);
    // a file:// store is read by the runner itself; a local slot's hut reads the store with this host's identity
    expect(find("hut-14-flash").inputs.transfer).toBeUndefined();
    expect(find("hut-15-flash").inputs.transfer).toBeUndefined();
  });

  it("refuses a remote slot without a connection", () => {
    expect(() => new HutSlot("hut-12", { slot: slot("hut-12", "runner-a"), hutCommand: "hut", tags })).toThrow(/needs a connection/);
  });
});

describe("HutSlot on the local runner", () => {
  it("runs the actions here (no connection), and declares no action without firmware or nonce", async () => {
    const bare = new HutSlot("hut-21", { slot: slot("hut-21", "local"), hutCommand: "hut", tags });
    const s = new HutSlot("hut-22", {
      slot: slot("hut-22", "local"),
      firmware: { path: "/tmp/fw.bin", sha256: FW.sha256 },
      homeAssistant: HA,
      haToken: TOKEN,
      powerCycleNonce: "n1",
      hutCommand: "node hardware/bin/hut.js",
      tags,
    });
    await settle(bare, s, s.flash, s.powerCycle);
    expect(bare.flash).toBeUndefined();
    expect(bare.powerCycle).toBeUndefined();
    expect(registered.some((r) => r.name.startsWith("hut-21-"))).toBe(false);

    const flash = find("hut-22-flash");
    expect(flash.type).toBe(ACTION);
    expect(flash.inputs.connection).toBeUndefined();
    expect(flash.inputs.triggers).toEqual([FW.sha256, "", "/dev/serial/by-id/usb-hut-22", "esp32"]);
    expect((flash.inputs.argv as string[]).slice(0, 6)).toEqual(["node", "hardware/bin/hut.js", "flash", "--inventory", "-", "--slot"]);
    const pc = find("hut-22-power-cycle");
    expect(pc.type).toBe(ACTION);
    expect(pc.secrets).toEqual(["environment"]);
    expect(flash.secrets).toEqual([]);
    expect(JSON.stringify(pc.inputs.argv)).not.toContain(TOKEN);
  });
});

describe("stack program wiring", () => {
  it("creates one HutSlot per slot, connects remote slots through lxd.runners and keeps the slot table", async () => {
    const data = parseStackConfig(
      {
        values: {
          lxd: JSON.stringify({ runners: [{ name: "runner-staging-01", sshUser: "ci", type: "container", cloudInit: false }] }),
          hut: JSON.stringify({
            homeAssistant: { url: "https://ha.example.org" },
            firmware: { esp32: FW },
            powerCycleNonce: "x1",
            slots: [
              { id: "hut-31", label: "esp32-hut-31", runner: "runner-staging-01", serialById: "/dev/serial/by-id/a", relay: { entity: "switch.a" } },
              { id: "hut-32", label: "esp32-hut-32", runner: "local", serialById: "/dev/serial/by-id/b", relay: { entity: "switch.b" } },
            ],
          }),
          haToken: "x",
          runnerSshKey: "x",
        },
        secretKeys: new Set(["haToken", "runnerSshKey"]),
      },
      "staging",
    );
    const out = await program({
      ...data,
      stack: "staging",
      project: "labfleet",
      secrets: { haToken: pulumi.secret(TOKEN), runnerSshKey: pulumi.secret(KEY) },
    });
    expect(out.slots.map((s) => s.id)).toEqual(["hut-31", "hut-32"]);
    await new Promise((r) => setTimeout(r, 200));
    const remote = find("hut-31-power-cycle");
    expect(remote.type).toBe(ACTION);
    expect(remote.inputs.connection).toMatchObject({ host: "runner-staging-01", user: "ci", privateKey: KEY });
    expect(remote.secrets.sort()).toEqual(["connection", "environment"]);
    expect(find("hut-32-flash").type).toBe(ACTION);
    expect(find("hut-32-flash").inputs.connection).toBeUndefined();
    expect(registered.find((r) => r.name === "hut-31")?.type).toBe("labfleet:hut:HutSlot");
  });
});
