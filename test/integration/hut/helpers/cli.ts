import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";

/** Runs the real `hut` bin (hardware/bin/hut.js) as a child process. */

export const REPO = resolve(import.meta.dirname, "../../../..");
export const HUT_BIN = join(REPO, "hardware/bin/hut.js");
export const FAKE_ESPTOOL = join(REPO, "hardware/sim/fake-esptool.sh");

export interface HutResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A clean environment: nothing (HA_TOKEN, HUT_*) leaks in from the developer's shell. */
export function baseEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, LANG: "C.UTF-8" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function startHut(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [HUT_BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"], cwd: REPO });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  child.stdin.end(input ?? "");
  const done = new Promise<HutResult>((res) => {
    child.once("close", (code, signal) => res({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export async function runHut(args: string[], env: NodeJS.ProcessEnv, opts: { input?: string; timeoutMs?: number } = {}): Promise<HutResult> {
  const h = startHut(args, env, opts.input);
  const t = setTimeout(() => h.child.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  try {
    return await h.done;
  } finally {
    clearTimeout(t);
  }
}

export interface TempDir {
  path: string;
  file(name: string, content: string | object): string;
  cleanup(): void;
}

export function tempDir(prefix = "hut-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    file(name, content) {
      const p = join(path, name);
      writeFileSync(p, typeof content === "string" ? content : stringify(content));
      return p;
    },
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}

export function slotEntry(n: number, extra: Record<string, unknown> = {}) {
  const id = `hut-${String(n).padStart(2, "0")}`;
  return {
    id,
    label: `esp32-${id}`,
    runner: "local",
    serialById: `/dev/serial/by-id/usb-Silicon_Labs_CP2102N_${id}-if00-port0`,
    relay: { entity: `switch.${id.replace("-", "_")}_power` },
    ...extra,
  };
}

/** Polls `cond` every 20 ms (after running `probe`, if given) until true or `ms` pass. */
export async function until(cond: () => boolean, ms: number, what: string, probe?: () => Promise<void>) {
  const end = Date.now() + ms;
  for (;;) {
    await probe?.();
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
