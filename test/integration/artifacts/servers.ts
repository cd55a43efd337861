import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

/**
 * The S3- and GCS-compatible servers the artifact tests run against, installed (pinned, cached)
 * by tools/setup/prereqs-artifacts.sh: moto's S3 server and fake-gcs-server, each on a loopback
 * port of its own, stopped by pid.
 */
const REPO = resolve(import.meta.dirname, "../../..");
const CACHE = join(REPO, ".cache/artifacts");
export const MOTO_SERVER = join(CACHE, "moto-venv/bin/moto_server");
export const FAKE_GCS_SERVER = join(CACHE, "bin/fake-gcs-server");
const START_TIMEOUT_MS = 30_000;

export interface StoreServer {
  kind: "s3" | "gs";
  /** The environment the SDKs need to talk to it (endpoint, dummy credentials for S3 signing). */
  env: Record<string, string>;
  /** Time from spawn to the first good answer. */
  startMs: number;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Missing server: a failure on CI (CI=true), a skip reason elsewhere. */
export function missingServer(path: string): string | undefined {
  if (existsSync(path)) return undefined;
  const why = `${path} is missing: run bash tools/setup/prereqs-artifacts.sh`;
  if (process.env.CI === "true") throw new Error(why);
  return why;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

async function waitUp(child: ChildProcess, url: string, log: () => string): Promise<void> {
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log()}`);
    const ok = await fetch(url).then((r) => r.status < 500, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`server not answering ${url} within ${START_TIMEOUT_MS} ms: ${log()}`);
}

async function start(cmd: string, args: string[], probe: string): Promise<{ child: ChildProcess; startMs: number; stop: () => Promise<void> }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout?.on("data", (d) => (log = (log + d).slice(-2000)));
  child.stderr?.on("data", (d) => (log = (log + d).slice(-2000)));
  await waitUp(child, probe, () => log);
  const startMs = performance.now() - t0;
  const stop = () =>
    new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once("exit", () => res());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  return { child, startMs, stop };
}

export async function startMoto(): Promise<StoreServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { startMs, stop } = await start(MOTO_SERVER, ["-H", "127.0.0.1", "-p", String(port)], `${base}/moto-api/`);
  return {
    kind: "s3",
    startMs,
    env: {
      AWS_ENDPOINT_URL_S3: base,
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    async createBucket(name) {
      const body = "<CreateBucketConfiguration><LocationConstraint>eu-central-1</LocationConstraint></CreateBucketConfiguration>";
      const r = await fetch(`${base}/${name}`, { method: "PUT", body });
      if (!r.ok) throw new Error(`moto: create bucket ${name}: ${r.status} ${await r.text()}`);
    },
    stop,
  };
}

export async function startFakeGcs(): Promise<StoreServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ["-scheme", "http", "-host", "127.0.0.1", "-port", String(port), "-backend", "memory", "-public-host", `127.0.0.1:${port}`, "-log-level", "error"];
  const { startMs, stop } = await start(FAKE_GCS_SERVER, args, `${base}/storage/v1/b`);
  return {
    kind: "gs",
    startMs,
    env: { HUT_GCS_ENDPOINT: base, GOOGLE_CLOUD_PROJECT: "labfleet-test" },
    async createBucket(name) {
      const r = await fetch(`${base}/storage/v1/b?project=labfleet-test`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
      if (!r.ok) throw new Error(`fake-gcs-server: create bucket ${name}: ${r.status} ${await r.text()}`);
    },
    stop,
  };
}
