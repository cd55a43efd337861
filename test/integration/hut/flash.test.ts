import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Report } from "../../../hardware/schema/ws2.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { FAKE_ESPTOOL, HUT_BIN, type TempDir, baseEnv, runHut, slotEntry, tempDir } from "./helpers/cli.ts";
import { type PtyPair, bootingBoard, ptyPair } from "./helpers/serial.ts";

/** `hut flash` with the fake esptool (records argv, prints v5 output, can fail). */

let tmp: TempDir;
let byId: string;
let inv: string;
/** Images for slot 1 (esp32s3) and slot 2 (esp32). */
let fw: string;
let fw32: string;
let sha: string;
let pty: PtyPair;
let silent: PtyPair;
let stopBoard: () => void;
let n = 0;

beforeAll(async () => {
  tmp = tempDir("hut-flash-");
  byId = join(tmp.path, "by-id");
  inv = tmp.file("inv.yaml", {
    defaults: { flash: { baud: 921600 } },
    slots: [
      { ...slotEntry(1), chip: "esp32s3", flash: { offset: "0x10000" } },
      { ...slotEntry(2), flash: { timeoutSeconds: 1 } },
      { ...slotEntry(3), boot: { timeoutSeconds: 1.5 } },
    ],
  });
  const content = Buffer.alloc(64 * 1024, 7);
  fw = join(tmp.path, "lab-node.bin");
  writeFileSync(fw, espImage("esp32s3", content));
  fw32 = join(tmp.path, "lab-node-esp32.bin");
  writeFileSync(fw32, espImage("esp32", content));
  sha = createHash("sha256").update(readFileSync(fw)).digest("hex");
  pty = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
  stopBoard = bootingBoard(pty);
  // slot 3: a board that never prints its banner (the image does not boot)
  silent = await ptyPair(byId, slotEntry(3).serialById.split("/").pop()!);
  // slot 2's "port": a plain file is enough for the fake esptool's existence check
  tmp.file(`by-id/${slotEntry(2).serialById.split("/").pop()}`, "");
});
afterAll(async () => {
  stopBoard?.();
  await pty?.close();
  await silent?.close();
  tmp.cleanup();
});

function env(extra: Record<string, string> = {}) {
  const log = join(tmp.path, `argv-${++n}.log`);
  return {
    log,
    env: baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: inv, HUT_SERIAL_BY_ID_DIR: byId, HUT_ESPTOOL: FAKE_ESPTOOL, FAKE_ESPTOOL_LOG: log, ...extra }),
  };
}

/** The argv of each esptool run, from the fake's log. */
function runs(log: string): string[][] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("--end--\n")
    .filter((s) => s !== "")
    .map((s) => s.trimEnd().split("\n"));
}

describe("hut flash", () => {
  it("verifies the sha256, then runs esptool v5 write-flash on the by-id port with the slot's chip", async () => {
    const e = env();
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", fw, "--sha256", sha.toUpperCase(), "--json"], e.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      slot: "hut-01",
      status: "ok",
      sha256: sha,
      esptool_version: "5.0.2",
      exitCode: 0,
      verified: true,
      message: expect.stringContaining(pty.port),
      // the boot check: the banner after the reset (a pty has no modem lines to reset with)
      boot: "ok",
      boot_line: "lab-node v1.4.2 ready",
      reset: "unsupported",
    });
    const port = join(byId, slotEntry(1).serialById.split("/").pop()!);
    expect(runs(e.log)).toEqual([["--chip", "esp32s3", "--port", port, "--baud", "921600", "write-flash", "0x10000", fw]]);
    // the by-id link, never the resolved /dev/pts/N behind it
    expect(realpathSync(port)).toMatch(/^\/dev\/pts\/\d+$/);
    expect(runs(e.log)[0]).not.toContain(realpathSync(port));
    // not a TTY: plain progress lines, esptool's other output passed through
    for (const p of [0, 20, 40, 60, 80, 100]) expect(r.stderr).toContain(`hut-01: writing ${p}%`);
    expect(r.stderr).toContain("Hash of data verified.");
    expect(r.stderr).not.toContain("Writing at 0x");
  });

  it("never starts esptool on a sha256 mismatch", async () => {
    const e = env();
    const wrong = "0".repeat(64);
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", fw, "--sha256", wrong, "--json"], e.env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "sha_mismatch", sha256: sha, esptool_version: null, exitCode: null, verified: false });
    expect(runs(e.log)).toEqual([]);
  });

  it("fails when esptool fails, and when it exits 0 without verifying the hash", async () => {
    const failing = env({ FAKE_ESPTOOL_MODE: "fail" });
    const r1 = await runHut(["flash", "--slot", "hut-01", "--firmware", fw, "--json"], failing.env);
    expect(r1.code).toBe(1);
    expect(JSON.parse(r1.stdout)).toMatchObject({ status: "failed", exitCode: 2, verified: false, message: expect.stringContaining("Packet content transfer stopped") });
    expect(runs(failing.log)).toHaveLength(1);

    const noverify = env({ FAKE_ESPTOOL_MODE: "noverify" });
    const r2 = await runHut(["flash", "--slot", "hut-01", "--firmware", fw, "--json"], noverify.env);
    expect(r2.code).toBe(1);
    expect(JSON.parse(r2.stdout)).toMatchObject({ status: "failed", exitCode: 0, verified: false, message: expect.stringContaining("Hash of data verified.") });
  });

  it("kills esptool after the slot's flash.timeoutSeconds", async () => {
    const e = env({ FAKE_ESPTOOL_MODE: "hang", FAKE_ESPTOOL_DURATION_MS: "50" });
    const r = await runHut(["flash", "--slot", "hut-02", "--firmware", fw32, "--json"], e.env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ slot: "hut-02", status: "timeout" });
    expect(r.ms).toBeLessThan(10_000);
    expect(runs(e.log)[0]).toEqual(["--chip", "esp32", "--port", join(byId, slotEntry(2).serialById.split("/").pop()!), "--baud", "921600", "write-flash", "0x0", fw32]);
  });

  it("splits HUT_ESPTOOL into a command and its leading arguments", async () => {
    const e = env({ HUT_ESPTOOL: `sh ${FAKE_ESPTOOL}` });
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", fw], e.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hut-01: ok: flashed /);
  });

  it("exits 2 naming --sha256 / --firmware on bad input, without touching esptool", async () => {
    const e = env();
    const badSha = await runHut(["flash", "--slot", "hut-01", "--firmware", fw, "--sha256", "abc"], e.env);
    expect(badSha.code).toBe(2);
    expect(badSha.stderr).toContain("--sha256");
    const noFile = await runHut(["flash", "--slot", "hut-01", "--firmware", join(tmp.path, "missing.bin")], e.env);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("--firmware");
    const noFlag = await runHut(["flash", "--slot", "hut-01"], e.env);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toContain("--firmware");
    expect(runs(e.log)).toEqual([]);
  });

  it("fails a flash whose board does not print its boot pattern within boot.timeoutSeconds", async () => {
    const e = env();
    const r = await runHut(["flash", "--slot", "hut-03", "--firmware", fw32, "--json"], e.env); // hut-03 is an esp32 (the default chip)
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      slot: "hut-03",
      status: "failed",
      exitCode: 0,
      verified: true,
      boot: "timeout",
      boot_line: null,
      message: expect.stringContaining("did not print /lab-node v[0-9.]+ ready/ within 1.5s"),
    });
    expect(runs(e.log)).toHaveLength(1);
  });

  it("a ws2 job whose step flashes carries the slot, the image sha256 and the boot result in its report", async () => {
    const e = env();
    const inv = tmp.file(`job-${n}.json`, {
      schema_version: "ws2.invocation.v1",
      job_id: `flash-job-${n}`,
      target_role: "runner",
      requested_by: "ci",
      request_utc: "2026-01-01T00:00:00Z",
      command: [`"${process.execPath}" "${HUT_BIN}" flash --slot hut-01 --firmware "${fw}" --json`],
      timeout_sec: 120,
      lock_key: "hut-01",
      workdir: tmp.path,
    });
    const r = await runHut(["run", "--invocation", inv], { ...e.env, HUT_CANCEL_DIR: join(tmp.path, "cancel") }, { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(Report.parse(JSON.parse(r.stdout))).toMatchObject({
      status: "success",
      slot_id: "hut-01",
      firmware_sha256: sha,
      boot: { status: "ok", line: "lab-node v1.4.2 ready" },
    });
  });
});
