import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { REPO, type TempDir, baseEnv, runHut, slotEntry, tempDir } from "./helpers/cli.ts";
import { type PtyPair, ptyPair } from "./helpers/serial.ts";

/**
 * `hut flash` through the real esptool v4 and v5 from PyPI (tools/setup/prereqs-peers.sh), on a
 * pty with no chip behind it: hut's exact command line must get as far as connecting to the chip
 * and fail there, never at esptool's argument parsing. The image's chip is checked with the real
 * `image-info` before the port is touched.
 */
const PEERS = join(REPO, ".cache/peers");
const TOOLS = [
  { major: 4, version: "4.12.0", command: join(PEERS, "esptool-v4/bin/esptool.py") },
  { major: 5, version: "5.6.0", command: join(PEERS, "esptool-v5/bin/esptool") },
] as const;
/** What an argument-parsing failure looks like in either version (argparse for v4, click for v5). */
const PARSE_ERROR = /usage:|invalid choice|unrecognized arguments|No such (command|option)|Try 'esptool/i;

let tmp: TempDir;
let byId: string;
let inv: string;
let pty: PtyPair;
const images: Record<string, string> = {};

beforeAll(async () => {
  for (const t of TOOLS) {
    if (!existsSync(t.command)) throw new Error(`${t.command} is missing: run tools/setup/prereqs-peers.sh`);
  }
  tmp = tempDir("hut-esptool-");
  byId = join(tmp.path, "by-id");
  inv = tmp.file("inv.yaml", { slots: [{ ...slotEntry(1), chip: "esp32s3", flash: { offset: "0x10000" } }] });
  for (const chip of ["esp32s3", "esp32c3"]) {
    images[chip] = join(tmp.path, `${chip}.bin`);
    writeFileSync(images[chip], espImage(chip, Buffer.alloc(4096, 0x5a)));
  }
  images.junk = tmp.file("junk.bin", "not an image at all");
  pty = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
});
afterAll(async () => {
  await pty?.close();
  tmp?.cleanup();
});

const env = (command: string) => baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: inv, HUT_SERIAL_BY_ID_DIR: byId, HUT_ESPTOOL: command });

describe.each(TOOLS)("hut flash with the real esptool v$major ($version)", (tool) => {
  it("runs hut's command line up to connecting: fails there, not at argument parsing", async () => {
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", images.esp32s3!, "--json"], env(tool.command), { timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ slot: "hut-01", status: "failed", esptool_version: tool.version, exitCode: 2, verified: false });
    expect(result.message).toMatch(/^esptool exited with 2: .*Failed to connect to ESP32-S3: No serial data received\.|^esptool exited with 2: For troubleshooting/);
    expect(r.stderr).toContain("Connecting...");
    expect(r.stderr).toContain("Failed to connect to ESP32-S3");
    expect(r.stderr).not.toMatch(PARSE_ERROR);
  }, 120_000);

  it("refuses an image built for another chip before touching the port, naming the slot and both chips", async () => {
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", images.esp32c3!, "--json"], env(tool.command));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`--firmware: ${images.esp32c3} is built for esp32c3, but slot hut-01 is an esp32s3; not flashed`);
    expect(r.stderr).not.toContain("Connecting");
  });

  it("refuses a file that is not an ESP image, with esptool's reason", async () => {
    const r = await runHut(["flash", "--slot", "hut-01", "--firmware", images.junk!, "--json"], env(tool.command));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`--firmware: .*junk\\.bin is not an ESP image esptool ${tool.version.replaceAll(".", "\\.")} can read: .*magic`, "i"));
  });
});
