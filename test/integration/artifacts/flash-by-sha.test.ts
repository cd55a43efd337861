import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../../hardware/artifact-store.ts";
import { StoreUrl } from "../../../hardware/schema/artifacts.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { uploadBuilds } from "../../../tools/artifacts/upload.ts";
import { FAKE_ESPTOOL, type TempDir, baseEnv, runHut, slotEntry, tempDir } from "../hut/helpers/cli.ts";
import { type PtyPair, bootingBoard, ptyPair } from "../hut/helpers/serial.ts";

/**
 * `hut flash --sha`: the upstream build of a commit, fetched from the inventory's artifact store
 * (a directory here), verified, flashed with the fake esptool onto a simulated board (pty), boot
 * checked; the temporary image is gone afterwards. A failed fetch flashes nothing.
 */
let tmp: TempDir;
let pty: PtyPair;
let stopBoard: () => void;
let inv: string;
let byId: string;
let image: Buffer;
const commit = randomBytes(20).toString("hex");

beforeAll(async () => {
  tmp = tempDir("hut-flash-sha-");
  byId = join(tmp.path, "by-id");
  const store = `file://${join(tmp.path, "store")}`;
  inv = tmp.file("inv.yaml", { artifacts: { store }, slots: [{ ...slotEntry(1), chip: "esp32s3" }] });
  image = espImage("esp32s3", Buffer.alloc(32 * 1024, 5));
  writeFileSync(join(tmp.path, "app.bin"), image);
  await uploadBuilds({ store: openStore(StoreUrl.parse(store)), sha: commit, builds: [{ chip: "esp32s3", path: join(tmp.path, "app.bin") }], workflowRunUrl: "https://github.com/o/r/actions/runs/7" });
  pty = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
  stopBoard = bootingBoard(pty);
});
afterAll(async () => {
  stopBoard?.();
  await pty?.close();
  tmp?.cleanup();
});

function env() {
  const log = join(tmp.path, `argv-${randomBytes(3).toString("hex")}.log`);
  return { log, env: baseEnv({ HUT_LOCK_DIR: join(tmp.path, "locks"), HUT_INVENTORY: inv, HUT_SERIAL_BY_ID_DIR: byId, HUT_ESPTOOL: FAKE_ESPTOOL, FAKE_ESPTOOL_LOG: log, TMPDIR: tmp.path }) };
}

describe("hut flash --sha", () => {
  it("fetches the commit's build for the slot's chip, flashes it with the manifest's sha256 and removes the temporary image", async () => {
    const e = env();
    const r = await runHut(["flash", "--slot", "hut-01", "--sha", commit, "--json"], e.env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ slot: "hut-01", status: "ok", sha256: createHash("sha256").update(image).digest("hex"), boot: "ok" });
    const argv = readFileSync(e.log, "utf8").split("\n");
    const flashed = argv.find((a) => a.endsWith("/esp32s3.bin"));
    expect(flashed).toMatch(new RegExp(`^${tmp.path}/hut-flash-[^/]+/esp32s3\\.bin$`));
    expect(existsSync(flashed!)).toBe(false);
  });

  it("an unknown commit exits 3 and never starts esptool", async () => {
    const e = env();
    const r = await runHut(["flash", "--slot", "hut-01", "--sha", "f".repeat(40), "--json"], e.env);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ slot: "hut-01", status: "fetch_not_found" });
    expect(existsSync(e.log)).toBe(false);
  });

  it("--firmware and --sha together, or neither, exit 2 naming both", async () => {
    for (const args of [["--sha", commit, "--firmware", join(tmp.path, "app.bin")], []]) {
      const r = await runHut(["flash", "--slot", "hut-01", ...args], env().env);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--firmware or --sha: give exactly one");
    }
  });
});
