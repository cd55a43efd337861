import { describe, expect, it } from "vitest";
import { issuesToMessage, parseInventory, serialPort } from "../../../hardware/inventory.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { Invocation, InvocationShape, ROLE_TIMEOUTS, Report, checkTimeout } from "../../../hardware/schema/ws2.ts";
import { ConfigError, parseStackConfig } from "../../../stacks/config/index.ts";

const slot = (n: number, extra: Record<string, unknown> = {}) => ({
  id: `hut-0${n}`,
  label: `esp32-hut-0${n}`,
  runner: "local",
  serialById: `/dev/serial/by-id/usb-${n}`,
  relay: { entity: `switch.hut_0${n}` },
  ...extra,
});

function cliProblems(doc: unknown): string {
  try {
    parseInventory(doc, "inventory t.yaml");
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}

function stackProblems(hut: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parseStackConfig({ values: { hut: JSON.stringify(hut), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, JSON.stringify(v)])) }, secretKeys: new Set() }, "local");
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
}

describe("inventory schema (shared by the CLI and labfleet:hut)", () => {
  it("applies slot value → defaults → built-in defaults", () => {
    const inv = Inventory.parse({
      defaults: { chip: "esp32c3", flash: { baud: 921600 }, powerCycle: { offSeconds: 2 } },
      slots: [slot(1), slot(2, { chip: "esp32s3", flash: { offset: "0x10000" }, powerCycle: { retries: 0 } })],
    });
    expect(inv.slots[0]).toMatchObject({ chip: "esp32c3", flash: { baud: 921600, offset: "0x0", timeoutSeconds: 300 }, powerCycle: { offSeconds: 2, retries: 2, cooldownSeconds: 10 } });
    expect(inv.slots[1]).toMatchObject({ chip: "esp32s3", flash: { baud: 921600, offset: "0x10000" }, powerCycle: { offSeconds: 2, retries: 0 } });
  });

  it("a resolved slot is itself a valid inventory slot (HutSlot feeds it back on stdin)", () => {
    const inv = Inventory.parse({ slots: [slot(1)] });
    expect(Inventory.parse({ slots: inv.slots }).slots).toEqual(inv.slots);
  });

  it("names every offending key for the CLI: by-id, ids, relays, unknown keys, uniqueness", () => {
    const msg = cliProblems({
      slots: [slot(1), slot(2, { serialById: "/dev/ttyUSB0", id: "hut-2", colour: "red" }), slot(3, { label: "esp32-hut-01", relay: { entity: "switch.hut_01" } })],
      extra: true,
    });
    expect(msg).toContain("slots[1].serialById: must start with /dev/serial/by-id/");
    expect(msg).toContain("slots[1].id: must look like hut-NN");
    expect(msg).toContain("slots[1].colour: unknown key");
    expect(msg).toContain("extra: unknown key");
    // uniqueness runs once the slots themselves are valid
    const dup = cliProblems({ slots: [slot(1), slot(3, { label: "esp32-hut-01", relay: { entity: "switch.hut_01" }, serialById: "/dev/serial/by-id/usb-1" })] });
    expect(dup).toContain('slots[1].label: duplicate label "esp32-hut-01" (also slots[0])');
    expect(dup).toContain('slots[1].relay.entity: duplicate relay entity "switch.hut_01" (also slots[0])');
    expect(dup).toContain('slots[1].serialById: duplicate serial path "/dev/serial/by-id/usb-1" on runner "local" (also slots[0])');
    expect(cliProblems({ slots: [slot(1), slot(1)] })).toContain('slots[1].id: duplicate id "hut-01"');
    expect(cliProblems({ slots: [slot(1, { serialById: "/dev/serial/by-id/../ttyUSB0" })] })).toContain("slots[0].serialById: must not contain ..");
    expect(cliProblems({ slots: [{ id: "hut-01" }] })).toContain("slots[0].label: required");
  });

  it("the same slot path may repeat on different runners", () => {
    expect(cliProblems({ slots: [slot(1, { runner: "a" }), slot(2, { runner: "b", serialById: "/dev/serial/by-id/usb-1" })] })).toBe("");
  });

  it("labfleet:hut: key paths, runner existence, powerCycleNonce needs homeAssistant, firmware shape", () => {
    expect(stackProblems({ slots: [slot(1), slot(2, { serialById: "/dev/ttyACM0" })] })).toEqual([
      "labfleet:hut.slots[1].serialById: must start with /dev/serial/by-id/",
    ]);
    expect(stackProblems({ slots: [slot(1, { runner: "runner-x" })] })).toEqual([
      'labfleet:hut.slots[0].runner: runner "runner-x" is not declared in lxd.runners (or use "local")',
    ]);
    expect(stackProblems({ slots: [slot(1, { runner: "runner-x" })] }, { lxd: { runners: [{ name: "runner-x", type: "container", cloudInit: false }] } })).toEqual([
      "labfleet:runnerSshKey: required because a hut slot runs on a remote runner (pulumi config set --secret labfleet:runnerSshKey …)",
    ]);
    expect(stackProblems({ slots: [slot(1)], powerCycleNonce: "1" })).toEqual([
      "labfleet:hut.powerCycleNonce: needs hut.homeAssistant (the relays are switched through it)",
    ]);
    expect(stackProblems({ slots: [slot(1)], firmware: { path: "fw.bin", sha256: "ABC" } })).toEqual([
      "labfleet:hut.firmware.path: must be an absolute path",
      "labfleet:hut.firmware.sha256: must be 64 lower-case hex digits",
    ]);
    expect(stackProblems({ slots: [slot(1)], homeAssistant: { url: "https://ha" } })).toEqual([
      "labfleet:haToken: required because hut.homeAssistant is set (pulumi config set --secret labfleet:haToken …)",
    ]);
  });

  it("two usb selectors that could match one adapter are an error naming both slots (CLI and labfleet:hut)", () => {
    const cp = { vendorid: "10c4", productid: "ea60" };
    const two = { slots: [slot(1, { usb: cp }), slot(2, { usb: { vendorid: "10C4", productid: "EA60", serial: "A1" } })] };
    expect(cliProblems(two)).toContain("slots[1].usb: slots hut-01 and hut-02 could both match USB adapter 10c4:ea60 (no usb.serial on both to tell them apart)");
    expect(stackProblems(two)).toEqual([expect.stringMatching(/^labfleet:hut\.slots\[1\]\.usb: slots hut-01 and hut-02 could both match/)]);
    const sameSerial = { slots: [slot(1, { usb: { ...cp, serial: "A1" } }), slot(2, { usb: { ...cp, serial: "A1" } })] };
    expect(cliProblems(sameSerial)).toContain('slots hut-01 and hut-02 could both match USB adapter 10c4:ea60 (the same serial "A1")');
    // told apart by serial, or by product: fine
    expect(cliProblems({ slots: [slot(1, { usb: { ...cp, serial: "A1" } }), slot(2, { usb: { ...cp, serial: "B2" } })] })).toBe("");
    expect(cliProblems({ slots: [slot(1, { usb: cp }), slot(2, { usb: { ...cp, productid: "ea70" } })] })).toBe("");
  });

  it("HUT_SERIAL_BY_ID_DIR only swaps the by-id directory", () => {
    const s = Inventory.parse({ slots: [slot(1)] }).slots[0]!;
    expect(serialPort(s, {})).toBe("/dev/serial/by-id/usb-1");
    expect(serialPort(s, { HUT_SERIAL_BY_ID_DIR: "/tmp/x/by-id/" })).toBe("/tmp/x/by-id/usb-1");
  });
});

describe("ws2 schemas", () => {
  const inv = {
    schema_version: "ws2.invocation.v1",
    job_id: "j-1",
    target_role: "infra",
    requested_by: "arch",
    request_utc: "2025-05-01T10:00:00Z",
    command: ["make", "test"],
    timeout_sec: 600,
    lock_key: "hut-01",
  };

  it("role timeout defaults and maximums", () => {
    expect(ROLE_TIMEOUTS).toEqual({ infra: { defaultSec: 600, maxSec: 3600 }, runner: { defaultSec: 1800, maxSec: 14400 } });
    expect(checkTimeout({ target_role: "infra" })).toEqual({ sec: 600 });
    expect(checkTimeout({ target_role: "runner" })).toEqual({ sec: 1800 });
    expect(checkTimeout({ target_role: "infra", timeout_sec: 3600 })).toEqual({ sec: 3600 });
    expect(checkTimeout({ target_role: "infra", timeout_sec: 3601 })).toMatchObject({ maxSec: 3600 });
    expect(checkTimeout({ target_role: "runner", timeout_sec: 14401 })).toMatchObject({ maxSec: 14400 });
  });

  it("Invocation rejects over-max timeouts at timeout_sec; the shape alone accepts them", () => {
    const over = { ...inv, timeout_sec: 4000 };
    expect(InvocationShape.safeParse(over).success).toBe(true);
    const r = Invocation.safeParse(over);
    expect(r.success).toBe(false);
    expect(issuesToMessage("invocation", r.error!.issues)).toContain("timeout_sec: 4000s exceeds the infra maximum of 3600s");
  });

  it("unknown keys, bad roles, unsafe job ids are errors", () => {
    const r = InvocationShape.safeParse({ ...inv, target_role: "arch", job_id: "../x", bogus: 1 }, { reportInput: true });
    const msg = issuesToMessage("invocation", r.error!.issues);
    expect(msg).toContain("target_role");
    expect(msg).toContain("job_id: must be letters, digits, dot, dash or underscore");
    expect(msg).toContain("bogus: unknown key");
  });

  it("Report requires the contract fields", () => {
    const ok = {
      schema_version: "ws2.report.v1",
      job_id: "j-1",
      agent_role: "runner",
      status: "success",
      start_utc: "2025-05-01T10:00:00.000Z",
      end_utc: "2025-05-01T10:00:01.000Z",
      duration_sec: 1,
      exit_code: 0,
      lock_key: "hut-01",
      human_summary: "ok",
    };
    expect(Report.safeParse(ok).success).toBe(true);
    for (const k of Object.keys(ok)) {
      const { [k]: _, ...missing } = ok as Record<string, unknown>;
      expect(Report.safeParse(missing).success, k).toBe(false);
    }
    expect(Report.safeParse({ ...ok, status: "skipped" }).success).toBe(false);
  });
});
