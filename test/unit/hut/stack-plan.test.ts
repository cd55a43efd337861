import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isSecretInput, ofType, one, runProgram } from "../../helpers/program.ts";
import { ROOT } from "../../../tools/plan/run.ts";

const ACTION = "pulumi-nodejs:dynamic/hut:HutAction";

/** The real program and stack files on the mock runtime: HutSlot wiring per stack. */

const stackHut = (stack: string) => (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config["labfleet:hut"] ?? {}) as Record<string, unknown>;
const SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const SHA_S3 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

describe("HutSlot in the stacks", () => {
  it("staging: remote flash and power-cycle HutActions per slot, secrets only in connection/environment", async () => {
    const run = await runProgram({ stack: "staging", config: { "labfleet:hut": { ...stackHut("staging"), powerCycleNonce: "n-1" } } });
    expect(ofType(run.resources, "labfleet:hut:HutSlot").map((r) => r.name)).toEqual(["hut-01", "hut-02"]);
    const pc = one(run.resources, ACTION, "hut-01-power-cycle");
    const flash = one(run.resources, ACTION, "hut-02-flash");
    expect(pc.parent).toContain("labfleet:hut:HutSlot::hut-01");
    expect(pc.inputs.connection).toMatchObject({ host: "10.88.0.10", user: "runner" }); // the runner's WireGuard address
    expect(isSecretInput(pc, "connection.privateKey")).toBe(true);
    expect(isSecretInput(pc, "environment.HA_TOKEN")).toBe(true);
    expect(isSecretInput(pc, "argv")).toBe(false);
    expect(isSecretInput(pc, "stdin")).toBe(false);
    expect(pc.inputs.triggers).toEqual(["n-1"]);
    // hut-02 is the esp32s3 slot: it gets the esp32s3 image of labfleet:hut.firmware
    expect(flash.inputs.triggers).toEqual([SHA_S3, "3f2c1a9", "/dev/serial/by-id/usb-1a86_USB_Single_Serial_5434019283-if00", "esp32s3"]);
    expect(flash.inputs.argv).toEqual(["hut", "flash", "--inventory", "-", "--slot", "hut-02", "--firmware", "/srv/firmware/lab-node-esp32s3.bin", "--sha256", SHA_S3, "--json"]);
    expect(one(run.resources, ACTION, "hut-01-flash").inputs.argv).toContain("/srv/firmware/lab-node-esp32.bin");
    expect(flash.inputs.runFlags).toEqual(["--wait", "300"]);
    expect((run.outputs.plain as { slots: { id: string }[] }).slots.map((s) => s.id)).toEqual(["hut-01", "hut-02"]);
  });

  it("local: HutActions run here with the repo's CLI once firmware is configured; none without", async () => {
    const bare = await runProgram({ stack: "local" });
    expect(ofType(bare.resources, "labfleet:hut:HutSlot")).toHaveLength(2);
    expect(ofType(bare.resources, ACTION)).toHaveLength(0);
    const run = await runProgram({ stack: "local", config: { "labfleet:hut": { ...stackHut("local"), firmware: { esp32: { path: "/srv/fw.bin", sha256: SHA }, esp32s3: { path: "/srv/fw-s3.bin", sha256: SHA_S3 } } } } });
    const flash = one(run.resources, ACTION, "hut-01-flash");
    expect(flash.inputs.argv).toEqual(["node", "hardware/bin/hut.js", "flash", "--inventory", "-", "--slot", "hut-01", "--firmware", "/srv/fw.bin", "--sha256", SHA, "--json"]);
    expect(flash.inputs.connection).toBeUndefined();
    const bounded = await runProgram({ stack: "local", config: { "labfleet:hut": { ...stackHut("local"), lockWaitSeconds: 45, firmware: { esp32: { path: "/srv/fw.bin", sha256: SHA }, esp32s3: { path: "/srv/fw-s3.bin", sha256: SHA_S3 } } } } });
    expect(one(bounded.resources, ACTION, "hut-01-flash").inputs.runFlags).toEqual(["--wait", "45"]);
    // the local stack's slots are all `runner: local`: no action goes over SSH
    expect(ofType(run.resources, ACTION).filter((r) => r.inputs.connection !== undefined)).toEqual([]);
  });
});
