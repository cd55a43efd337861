import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../../hardware/artifact-store.ts";
import { ArtifactManifest, StoreUrl, buildKey, manifestKey } from "../../../hardware/schema/artifacts.ts";
import { runTs } from "../../helpers/cli.ts";
import { baseEnv, runHut } from "../hut/helpers/cli.ts";
import { FAKE_GCS_SERVER, MOTO_SERVER, type StoreServer, missingServer, startFakeGcs, startMoto } from "./servers.ts";

/**
 * The upstream lane's uploader (tools/artifacts/cli.ts) and `hut fetch`, end to end, against a
 * directory store and real S3/GCS-compatible servers (moto, fake-gcs-server).
 */
const RUN_URL = "https://github.com/acme/firmware/actions/runs/42/attempts/1";
const sha = () => randomBytes(20).toString("hex");

interface Case {
  kind: "file" | "s3" | "gs";
  binary?: string;
  start?: () => Promise<StoreServer>;
}

const CASES: Case[] = [{ kind: "file" }, { kind: "s3", binary: MOTO_SERVER, start: startMoto }, { kind: "gs", binary: FAKE_GCS_SERVER, start: startFakeGcs }];

for (const c of CASES) {
  const skip = c.binary ? missingServer(c.binary) : undefined;
  describe.skipIf(skip !== undefined)(`artifact store ${c.kind}: upload, then hut fetch`, () => {
    let dir: string;
    let server: StoreServer | undefined;
    let store: string;
    let env: NodeJS.ProcessEnv;
    const image = randomBytes(64 * 1024);
    const built = sha();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `labfleet-artifacts-${c.kind}-`));
      writeFileSync(join(dir, "app.bin"), image);
      writeFileSync(join(dir, "app-s3.bin"), randomBytes(1024));
      if (c.start) {
        server = await c.start();
        await server.createBucket("labfleet-fw");
        console.log(`${c.kind} server up in ${Math.round(server.startMs)} ms`);
        store = `${c.kind}://labfleet-fw/builds`;
        Object.assign(process.env, server.env);
      } else store = `file://${dir}/store`;
      env = baseEnv({ ...server?.env, HUT_ARTIFACT_STORE: store });
      const up = runTs("tools/artifacts/cli.ts", ["--store", store, "--sha", built, "--build", `esp32=${join(dir, "app.bin")}`, "--build", `esp32s3=${join(dir, "app-s3.bin")}`, "--run-url", RUN_URL, "--json"], { env });
      expect(up.stderr).toBe("");
      expect(up.status).toBe(0);
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
      for (const k of Object.keys(server?.env ?? {})) delete process.env[k];
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("writes the manifest beside the builds", async () => {
      const raw = await openStore(StoreUrl.parse(store)).get(manifestKey(built));
      const manifest = ArtifactManifest.parse(JSON.parse(Buffer.from(raw!).toString("utf8")));
      expect(manifest.sha).toBe(built);
      expect(Object.keys(manifest.builds).sort()).toEqual(["esp32", "esp32s3"]);
      expect(manifest.builds.esp32).toMatchObject({ file: "app.bin", bytes: image.length, workflow_run_url: RUN_URL });
    });

    it("fetches the build: same bytes, mode 0600, JSON result", async () => {
      const out = join(dir, "fetched.bin");
      const r = await runHut(["fetch", "--sha", built.toUpperCase(), "--chip", "esp32", "--out", out, "--json"], env, { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(out).equals(image)).toBe(true);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const json = JSON.parse(r.stdout);
      expect(json).toMatchObject({ status: "ok", sha: built, chip: "esp32", out, file: "app.bin", bytes: image.length, workflow_run_url: RUN_URL, store });
      expect(r.ms).toBeLessThan(30_000);
    });

    it("an unknown SHA exits 3 and names the commit", async () => {
      const unknown = sha();
      const out = join(dir, "unknown.bin");
      const r = await runHut(["fetch", "--sha", unknown, "--chip", "esp32", "--out", out], env, { timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`no build for commit ${unknown}`);
      expect(existsSync(out)).toBe(false);
    });

    it("a chip the commit was not built for exits 3 and lists what was built", async () => {
      const r = await runHut(["fetch", "--sha", built, "--chip", "esp32c3", "--out", join(dir, "c3.bin"), "--json"], env, { timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: "not_found", chip: "esp32c3" });
      expect(r.stdout).toContain("built: esp32, esp32s3");
    });

    it("a build whose sha256 differs from the manifest exits 1 and leaves --out untouched", async () => {
      const tampered = sha();
      const up = runTs("tools/artifacts/cli.ts", ["--store", store, "--sha", tampered, "--build", `esp32=${join(dir, "app.bin")}`, "--run-url", RUN_URL], { env });
      expect(up.status, up.stderr).toBe(0);
      // someone replaces the object behind the manifest's back
      await openStore(StoreUrl.parse(store)).put(buildKey(tampered, "esp32", "app.bin"), randomBytes(image.length), "application/octet-stream");
      const out = join(dir, "previous.bin");
      writeFileSync(out, "previous image");
      const r = await runHut(["fetch", "--sha", tampered, "--chip", "esp32", "--out", out, "--json"], env, { timeoutMs: 60_000 });
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: "sha_mismatch", out: null });
      expect(readFileSync(out, "utf8")).toBe("previous image");
    });

    it("refuses to replace a commit's build with other bytes (immutable), accepts the same again", () => {
      const other = join(dir, "app-other.bin");
      writeFileSync(other, randomBytes(100));
      const again = runTs("tools/artifacts/cli.ts", ["--store", store, "--sha", built, "--build", `esp32=${join(dir, "app.bin")}`, "--run-url", RUN_URL], { env });
      expect(again.status, again.stderr).toBe(0);
      const conflict = runTs("tools/artifacts/cli.ts", ["--store", store, "--sha", built, "--build", `esp32=${other}`, "--run-url", RUN_URL], { env });
      expect(conflict.status).toBe(1);
      expect(conflict.stderr).toContain("immutable");
    });
  });
}

describe("hut fetch: bad arguments exit 2 naming the flag", () => {
  const env = baseEnv({ HUT_ARTIFACT_STORE: "file:///nonexistent-labfleet-store" });
  it.each([
    [["--sha", "abc123", "--chip", "esp32", "--out", "/tmp/x.bin"], "--sha"],
    [["--sha", "a".repeat(40), "--chip", "arm64", "--out", "/tmp/x.bin"], "--chip"],
    [["--sha", "a".repeat(40), "--chip", "esp32", "--out", "/nonexistent-dir/x.bin"], "--out"],
    [["--sha", "a".repeat(40), "--chip", "esp32", "--out", "/tmp/x.bin", "--store", "ftp://x"], "--store"],
  ])("%j", async (args, flag) => {
    const r = await runHut(["fetch", ...args], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(flag);
  });

  it("no store anywhere names --store, HUT_ARTIFACT_STORE and the inventory key", async () => {
    const r = await runHut(["fetch", "--sha", "a".repeat(40), "--chip", "esp32", "--out", "/tmp/x.bin"], baseEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--store: required (or set HUT_ARTIFACT_STORE, or artifacts.store in the inventory)");
  });
});
