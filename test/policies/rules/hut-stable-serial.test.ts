import { describe, expect, it } from "vitest";
import { check, noDowngrade, res, unknown } from "../helpers.ts";

const BY_ID = "/dev/serial/by-id/usb-Silicon_Labs_CP2102N_USB_to_UART_Bridge_Controller_5a1c-if00-port0";
const slot = (id: string, label: string, serialById: string, entity: string) => ({ id, label, runner: "runner-01", serialById, relay: { entity } });
const inventory = (...slots: object[]) => JSON.stringify({ slots });
const flash = (name: string, id: string, extra: Record<string, unknown> = {}) =>
  res("command:remote:Command", name, { create: `hut flash --slot ${id} --firmware /srv/fw.bin`, connection: { host: unknown.string, user: "runner" }, ...extra });

describe("hut-stable-serial", () => {
  it("passes by-id slots with unique ids, labels and relays, also when a slot appears in several resources", async () => {
    const inv = inventory(slot("hut-01", "esp32-hut-01", BY_ID, "switch.hut_01_power"), slot("hut-02", "esp32-hut-02", `${BY_ID}-2`, "switch.hut_02_power"));
    const vs = await check("hut-stable-serial", [
      res("command:remote:Command", "inventory", { create: "install -m 0644 /dev/stdin /etc/hut/inventory.json", stdin: inv }),
      flash("hut-01-flash", "hut-01", { triggers: [BY_ID] }),
      res("pulumi-nodejs:dynamic:Resource", "runner-01", { kind: "lxd-instance", cloudInit: `#cloud-config\nwrite_files:\n  - path: /etc/hut/inventory.yaml\n    content: |\n      slots:\n        - id: hut-01\n          label: esp32-hut-01\n          runner: runner-01\n          serialById: ${BY_ID}\n          relay:\n            entity: switch.hut_01_power\n` }),
    ]);
    expect(vs).toEqual([]);
  });

  it("reads inventories shipped in cloud-init user-data", async () => {
    const userData = `#cloud-config\nwrite_files:\n  - path: /etc/hut/inventory.yaml\n    content: |\n      slots:\n        - id: hut-01\n          label: a\n          runner: r\n          serialById: ${BY_ID}\n          relay:\n            entity: switch.one\n        - id: hut-02\n          label: a\n          runner: r\n          serialById: ${BY_ID}-2\n          relay:\n            entity: switch.two\n`;
    const vs = await check("hut-stable-serial", [res("pulumi-nodejs:dynamic/lxd:Instance", "runner", { userData })]);
    expect(vs.map((v) => v.message.split("\n")[1])).toEqual([
      expect.stringContaining('invalid hut inventory: userData<cloud-config>.write_files[0].content slots[1].label: duplicate label "a" (also slots[0])'),
      expect.stringContaining('slots hut-01 and hut-02 share the runner label "a"'),
    ]);
  });

  it("fails ttyUSB/ttyACM/by-path device names and by-id paths that escape the directory", async () => {
    const vs = await check("hut-stable-serial", [
      res("command:local:Command", "raw", { create: "esptool --port /dev/ttyUSB0 write-flash 0x0 fw.bin" }),
      res("command:local:Command", "acm", { environment: { HUT_PORT: "/dev/ttyACM1" } }),
      res("command:local:Command", "escape", { stdin: inventory(slot("hut-01", "l1", "/dev/serial/by-id/../../ttyUSB0", "switch.a")) }),
    ]);
    const lines = vs.map((v) => v.message.split("\n")[1]);
    expect(lines[0]).toBe(
      "command:local:Command::raw uses serial device /dev/ttyUSB0 at create, which is a kernel-enumerated name that changes across reboots. Fix: use the adapter's /dev/serial/by-id/<id> symlink (ls -l /dev/serial/by-id/) in labfleet:hut.slots[].serialById",
    );
    expect(lines[1]).toContain("command:local:Command::acm uses serial device /dev/ttyACM1 at environment.HUT_PORT");
    expect(lines[2]).toContain("command:local:Command::escape uses serial device /dev/serial/by-id/../../ttyUSB0 at stdin<json>.slots[0].serialById, which leaves /dev/serial/by-id/ (resolves to /dev/ttyUSB0)");
    expect(vs.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
  });

  it("fails duplicate labels, relays and conflicting slot definitions across resources, and invalid inventories", async () => {
    const vs = await check("hut-stable-serial", [
      res("command:remote:Command", "inv-a", { stdin: inventory(slot("hut-01", "esp32-a", BY_ID, "switch.one")) }),
      res("command:remote:Command", "inv-b", { stdin: inventory(slot("hut-02", "esp32-a", `${BY_ID}-2`, "switch.one"), slot("hut-01", "esp32-a", `${BY_ID}-9`, "switch.one")) }),
    ]);
    const text = vs.map((v) => v.message.split("\n")[1]).join("\n");
    expect(text).toContain('invalid hut inventory: stdin<json> slots[1].label: duplicate label "esp32-a" (also slots[0])');
    expect(text).toContain('slot hut-01 is defined twice with different serialById');
    expect(text).toContain('slots hut-01 and hut-02 share the runner label "esp32-a"');
    expect(text).toContain('slots hut-01 and hut-02 share the relay entity "switch.one"');
  });

  it("unknowns: unknown strings are skipped, known parts still checked", async () => {
    const vs = await check("hut-stable-serial", [res("command:remote:Command", "c", { create: "hut monitor --slot hut-01 --port /dev/ttyUSB3", stdin: unknown.string })]);
    expect(vs).toHaveLength(1);
    expect(noDowngrade(vs)).toBe(true);
  });
});
