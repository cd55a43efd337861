import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { cancelFlagPath } from "../../../hardware/jobs.ts";
import { flashArgs, hutArgv, lockWaitFlags, powerCycleArgs, remoteCommandLine, slotInventory } from "../../../components/hut/commands.ts";
import { shellQuote } from "../../../components/shell.ts";
import { esptoolArgs, esptoolCommand } from "../../../hardware/flash.ts";
import { HELD_ENV, heldLocksEnv, inheritedLocks, jobLockPath, slotLockPath } from "../../../hardware/lock.ts";
import { createProgress } from "../../../hardware/progress.ts";
import { HaError, HomeAssistantClient } from "../../../hardware/relay.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";

const slot = Inventory.parse({
  slots: [{ id: "hut-01", label: "esp32-hut-01", runner: "local", serialById: "/dev/serial/by-id/usb-x", relay: { entity: "switch.a" }, chip: "esp32s3" }],
}).slots[0]!;

describe("lock paths (docs/design/hut.md, Locks)", () => {
  it("uses HUT_LOCK_DIR, default /var/lock/labfleet (not the world-writable /var/lock); cancel flags default beneath it", () => {
    expect(slotLockPath("hut-01", {})).toBe("/var/lock/labfleet/hut-hut-01.lock");
    expect(slotLockPath("hut-01", { HUT_LOCK_DIR: "/run/lab" })).toBe("/run/lab/hut-hut-01.lock");
    expect(jobLockPath("runner", "hut-01", {})).toBe("/var/lock/labfleet/labfleet-runner-hut-01.lock");
    expect(cancelFlagPath("job-1", {})).toBe("/var/lock/labfleet/cancel/labfleet-cancel-job-1.flag");
    expect(cancelFlagPath("job-1", { HUT_CANCEL_DIR: "/run/c" })).toBe("/run/c/labfleet-cancel-job-1.flag");
  });

  it("HUT_HELD_LOCKS entries count only for ancestor pids", () => {
    const path = "/tmp/x.lock";
    const env = { [HELD_ENV]: `${process.pid}:${path},1:/tmp/other.lock,999999999:/tmp/third.lock,garbage` };
    expect([...inheritedLocks(env)]).toEqual([path]);
    expect(heldLocksEnv({ path: "/tmp/y.lock", reentrant: false, release() {} }, { [HELD_ENV]: "7:/a" })).toBe(`7:/a,${process.pid}:/tmp/y.lock`);
  });
});

describe("esptool command", () => {
  it("v5 argv: --chip, --port <by-id>, --baud, write-flash <offset> <file>", () => {
    expect(esptoolArgs(slot, slot.serialById, "/fw.bin")).toEqual([
      "--chip",
      "esp32s3",
      "--port",
      "/dev/serial/by-id/usb-x",
      "--baud",
      "460800",
      "write-flash",
      "0x0",
      "/fw.bin",
    ]);
    expect(esptoolCommand({})).toEqual(["esptool"]);
    expect(esptoolCommand({ HUT_ESPTOOL: "  python3 -m esptool " })).toEqual(["python3", "-m", "esptool"]);
  });
});

describe("HutSlot argv and command lines", () => {
  it("quotes every argument and never carries secrets", () => {
    expect(shellQuote("plain-arg_1.bin")).toBe("plain-arg_1.bin");
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
    const fw = { path: "/srv/fw dir/a.bin", sha256: "a".repeat(64) };
    expect(hutArgv("hut", flashArgs(slot, fw))).toEqual(["hut", "flash", "--inventory", "-", "--slot", "hut-01", "--firmware", "/srv/fw dir/a.bin", "--sha256", "a".repeat(64), "--json"]);
    expect(remoteCommandLine(hutArgv("hut", flashArgs(slot, fw)))).toBe(`hut flash --inventory - --slot hut-01 --firmware '/srv/fw dir/a.bin' --sha256 ${"a".repeat(64)} --json`);
    expect(lockWaitFlags()).toEqual(["--wait", "300"]);
    expect(lockWaitFlags(5)).toEqual(["--wait", "5"]);
    // hutCommand is split on whitespace into its words: no shell locally
    expect(hutArgv(" node  hardware/bin/hut.js ", powerCycleArgs(slot))).toEqual(["node", "hardware/bin/hut.js", "power-cycle", "--inventory", "-", "--slot", "hut-01", "--json"]);
    expect(() => hutArgv("  ", powerCycleArgs(slot))).toThrow(/hutCommand is empty/);
    const ha = { url: "https://ha", requestTimeoutSeconds: 10, pollIntervalSeconds: 1, stateTimeoutSeconds: 30 };
    expect(Inventory.parse(JSON.parse(slotInventory(slot, ha)))).toEqual({ homeAssistant: ha, slots: [slot] });
  });
});

describe("progress", () => {
  it("prints one plain line per 10 % step when the stream is not a TTY", () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => {
      text += d;
    });
    const p = createProgress("hut-01: writing", out as unknown as NodeJS.WriteStream);
    for (const v of [0, 3, 12.5, 19, 55, 100, 100]) p.update(v);
    p.stop();
    expect(text).toBe("hut-01: writing 0%\nhut-01: writing 10%\nhut-01: writing 50%\nhut-01: writing 100%\n");
  });

  it("draws a cli-progress bar on a TTY", () => {
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 80, cursorTo() {}, clearLine() {}, moveCursor() {}, clearScreenDown() {} });
    let text = "";
    out.on("data", (d) => {
      text += d;
    });
    const p = createProgress("hut-01: writing", out as unknown as NodeJS.WriteStream);
    p.update(50);
    p.update(100);
    p.stop();
    expect(text).toContain("hut-01: writing [");
    expect(text).toContain("100%");
    expect(text).not.toContain("hut-01: writing 10%\n");
  });
});

describe("Home Assistant client errors", () => {
  it("connection errors name the path and cause, never the token or URL credentials", async () => {
    const token = "secret-token-abc";
    // a port that was just free: nothing listens there
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const c = new HomeAssistantClient({ url: `http://user:pw@127.0.0.1:${port}`, token, requestTimeoutMs: 2000 });
    const err = await c.getState("switch.a").catch((e) => e);
    expect(err).toBeInstanceOf(HaError);
    expect(err.kind).toBe("ha_error");
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^GET \/api\/states\/switch\.a: ECONNREFUSED/);
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain("pw");
  });
});
