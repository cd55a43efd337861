import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashArgs, flashTransfer, hutArgv, slotInventory } from "../../../components/hut/commands.ts";
import { openStore } from "../../../hardware/artifact-store.ts";
import { ArtifactManifest, StoreUrl, buildKey, manifestKey } from "../../../hardware/schema/artifacts.ts";
import { Inventory } from "../../../hardware/schema/inventory.ts";
import { espImage } from "../../../hardware/sim/esp-image.ts";
import { ROOT } from "../../../tools/plan/run.ts";
import { uploadBuilds } from "../../../tools/artifacts/upload.ts";
import { FAKE_ESPTOOL, type TempDir, slotEntry, tempDir } from "../hut/helpers/cli.ts";
import { type PtyPair, bootingBoard, ptyPair } from "../hut/helpers/serial.ts";
import { type Sshd, startSshd } from "../wireguard/sshd.ts";
import { FAKE_GCS_SERVER, MOTO_SERVER, type StoreServer, missingServer, startFakeGcs, startMoto } from "./servers.ts";
import { created, failure } from "../hut/helpers/action.ts";

/**
 * The stack's flash by commit from a cloud store: HutAction fetches and verifies the build on
 * this host (the deploy side, which alone has the store's endpoint and credentials), copies it
 * over SSH into a private directory on the "runner" (a real sshd whose sessions get a clean
 * environment: no store credentials, no endpoint) and runs `hut flash --firmware … --sha256 …`
 * there against a simulated slot. Per store: the flash succeeds and the copy is gone afterwards;
 * the copy is 0600 in a 0700 directory; a failed flash removes it too; a tampered build fails
 * before the runner is contacted;
 * without the transfer the runner's own `hut flash --sha` cannot read the store.
 */
const slot = () => Inventory.parse({ slots: [slotEntry(1)] }).slots[0]!;
let tmp: TempDir;
let pty: PtyPair;
let stopBoard: (() => void) | undefined;
let sshd: Sshd;
let byId: string;

beforeAll(async () => {
  tmp = tempDir("hut-transfer-test-");
  byId = join(tmp.path, "by-id");
  pty = await ptyPair(byId, slotEntry(1).serialById.split("/").pop()!);
  stopBoard = bootingBoard(pty);
  sshd = await startSshd(); // tools/setup/prereqs-wireguard.sh: a missing sshd fails, never a skip
});
afterAll(async () => {
  await sshd?.stop();
  stopBoard?.();
  await pty?.close();
  tmp?.cleanup();
});

const conn = () => ({ host: "127.0.0.1", port: sshd.port, user: "root", privateKey: sshd.clientKey, hostKey: sshd.hostKeyLine });

const servers: [string, string, () => Promise<StoreServer>][] = [
  ["moto S3", MOTO_SERVER, startMoto],
  ["fake-gcs-server", FAKE_GCS_SERVER, startFakeGcs],
];

describe.each(servers)("HutAction flash by commit from %s to a runner without store credentials", (_name, bin, startServer) => {
  let server: StoreServer;
  let store: string;
  let image: Buffer;
  const commit = randomBytes(20).toString("hex");
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    const missing = missingServer(bin);
    if (missing) throw new Error(missing);
    server = await startServer();
    // the deploy side's store access: this process only (the provider runs in the Pulumi host)
    for (const [k, v] of Object.entries(server.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const bucket = `fw-${randomBytes(4).toString("hex")}`;
    await server.createBucket(bucket);
    store = `${server.kind}://${bucket}`;
    image = espImage("esp32", Buffer.alloc(32 * 1024, 7));
    const file = join(tmp.path, `app-${server.kind}.bin`);
    writeFileSync(file, image);
    await uploadBuilds({ store: openStore(StoreUrl.parse(store)), sha: commit, builds: [{ chip: "esp32", path: file }], workflowRunUrl: "https://github.com/o/r/actions/runs/9" });
  }, 120_000);
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server?.stop();
  });

  /** The runner's hut: the repository's bin with the simulated slot's tools (the session has no other environment). */
  const remoteHut = (log: string) =>
    `env HUT_ESPTOOL=${FAKE_ESPTOOL} FAKE_ESPTOOL_LOG=${log} HUT_SERIAL_BY_ID_DIR=${byId} HUT_LOCK_DIR=${join(tmp.path, "locks")} node ${join(ROOT, "hardware/bin/hut.js")}`;

  const flashInputs = (log: string) => {
    const firmware = { sha: commit };
    return {
      argv: hutArgv(remoteHut(log), flashArgs(slot(), firmware)),
      stdin: slotInventory(slot(), undefined, store),
      triggers: [commit],
      connection: conn(),
      transfer: flashTransfer(slot(), firmware, store, true),
      timeoutSeconds: 120,
    };
  };

  it("flashes the verified build on the simulated slot; the runner's copy is gone afterwards", async () => {
    const log = join(tmp.path, `esptool-${server.kind}.log`);
    const r = await created(flashInputs(log));
    const outs = r.outs as Record<string, unknown>;
    const sha256 = createHash("sha256").update(image).digest("hex");
    expect(JSON.parse(String(outs.stdout))).toMatchObject({ slot: "hut-01", status: "ok", sha256, verified: true, boot: "ok" });
    const flashed = readFileSync(log, "utf8")
      .split("\n")
      .find((a) => a.endsWith("/firmware.bin"));
    expect(flashed).toMatch(/^\/.+\/firmware\.bin$/);
    expect(existsSync(flashed!)).toBe(false);
    // the stored inputs are what the stack declared (argv by commit), not the staged path
    expect(outs.argv).toContain(commit);
    expect(outs.transfer).toEqual({ store, sha: commit, chip: "esp32" });
  }, 120_000);

  it("the copy is mode 0600 in a 0700 directory and carries the build's bytes", async () => {
    const script = 'stat -c "%a" "$(dirname "$1")" "$1"; sha256sum "$1"; printf "%s\\n" "$3"';
    const r = await created({ ...flashInputs("unused"), argv: ["sh", "-c", script, "--sha", commit] });
    const [dirMode, fileMode, sum, manifestSum] = String((r.outs as Record<string, unknown>).stdout).trim().split("\n");
    expect([dirMode, fileMode]).toEqual(["700", "600"]);
    const [hex, path] = sum!.split(/\s+/);
    expect(hex).toBe(createHash("sha256").update(image).digest("hex"));
    expect(manifestSum).toBe(hex);
    expect(existsSync(path!)).toBe(false);
  }, 120_000);

  it("a failed flash on the runner still removes the copy", async () => {
    const seen = join(tmp.path, `staged-${server.kind}`);
    const msg = await failure(created({ ...flashInputs("unused"), argv: ["sh", "-c", `printf %s "$1" > ${seen}; exit 4`, "--sha", commit] }));
    expect(msg).toMatch(/failed on ssh root@127\.0\.0\.1:\d+ \(exit code 4\)/);
    const path = readFileSync(seen, "utf8");
    expect(path).toMatch(/\/firmware\.bin$/);
    expect(existsSync(path)).toBe(false);
  }, 120_000);

  it("without the transfer the runner's own hut flash --sha cannot read the store", async () => {
    const log = join(tmp.path, `esptool-direct-${server.kind}.log`);
    const { transfer: _, ...direct } = flashInputs(log);
    const msg = await failure(created({ ...direct, timeoutSeconds: 60 }));
    expect(msg).toMatch(/hut flash for slot hut-01 failed on ssh root@127\.0\.0\.1:\d+ \(exit code [13]\)/);
    expect(existsSync(log)).toBe(false);
  }, 120_000);

  it("a build whose sha256 differs from the manifest fails here, before the runner is contacted", async () => {
    const s = openStore(StoreUrl.parse(store));
    const manifest = ArtifactManifest.parse(JSON.parse(Buffer.from((await s.get(manifestKey(commit)))!).toString("utf8")));
    const key = buildKey(commit, "esp32", manifest.builds.esp32!.file);
    await s.put(key, Buffer.concat([image.subarray(0, image.length - 1), Buffer.from([0])]), "application/octet-stream");
    const marker = join(tmp.path, `reached-${server.kind}`);
    const msg = await failure(created({ ...flashInputs("unused"), argv: ["sh", "-c", `touch ${marker}`, "--sha", commit] }));
    expect(msg).toContain("fetching the build on this host failed (sha_mismatch)");
    expect(msg).toContain(`nothing was sent to ssh root@127.0.0.1:${sshd.port}`);
    expect(existsSync(marker)).toBe(false);
  }, 120_000);
});
