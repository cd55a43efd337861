import { describe, expect, it } from "vitest";
import { check, res } from "../helpers.ts";

/** The rules that read command resources judge labfleet's HutAction (argv words, stdin, timeoutSeconds). */
const ACTION = "pulumi-nodejs:dynamic/hut:HutAction";
const BY_ID = "/dev/serial/by-id/usb-Silicon_Labs_CP2102N_hut-01-if00-port0";
const inventory = (serialById: string) =>
  JSON.stringify({ slots: [{ id: "hut-01", label: "esp32-hut-01", runner: "local", serialById, relay: { entity: "switch.hut_01_power" } }] });

describe("HutAction under the command rules", () => {
  it("job-timeouts: hut flags and timeout wrappers in argv, timeoutSeconds and customTimeouts", async () => {
    const ok = await check("job-timeouts-within-role-limits", [
      res(ACTION, "hut-01-flash", { argv: ["hut", "flash", "--inventory", "-", "--slot", "hut-01", "--json"], stdin: inventory(BY_ID), timeoutSeconds: 900 }),
    ]);
    expect(ok).toEqual([]);
    const vs = await check("job-timeouts-within-role-limits", [
      res(ACTION, "wait", { argv: ["hut", "lock", "--slot", "hut-01", "--wait", "20000", "--", "make"] }),
      res(ACTION, "wrapped", { argv: ["timeout", "5h", "hut", "flash", "--slot", "hut-01"] }),
      res(ACTION, "bound", { argv: ["hut", "flash"], timeoutSeconds: 20000 }),
      res(ACTION, "slow", { argv: ["hut", "flash"] }, { customTimeouts: { createSeconds: 20000 } }),
    ]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      `${ACTION}::wait argv hut --wait is 20000s, over the runner maximum of 14400s`,
      `${ACTION}::wrapped argv timeout 5h is 18000s, over the runner maximum of 14400s`,
      `${ACTION}::bound timeoutSeconds is 20000s, over the runner maximum of 14400s`,
      `${ACTION}::slow customTimeouts.create is 20000s, over the runner maximum of 14400s`,
    ]);
  });

  it("hut-stable-serial: the inventory on stdin and device paths in argv", async () => {
    const vs = await check("hut-stable-serial", [
      res(ACTION, "hut-01-flash", { argv: ["hut", "flash", "--slot", "hut-01"], stdin: inventory("/dev/ttyUSB0") }),
      res(ACTION, "raw", { argv: ["hut", "monitor", "--port", "/dev/ttyACM1"] }),
    ]);
    const lines = vs.map((v) => v.message.split("\n")[1] ?? "");
    expect(lines.some((l) => l.includes(`${ACTION}::hut-01-flash uses serial device /dev/ttyUSB0 at stdin<json>.slots[0].serialById`))).toBe(true);
    expect(lines.some((l) => l.includes(`${ACTION}::raw uses serial device /dev/ttyACM1 at argv[3]`))).toBe(true);
  });
});
