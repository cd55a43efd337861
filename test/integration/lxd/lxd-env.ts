import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { z } from "zod";
import { LxdClient } from "../../../components/lxd/client.ts";
import { stopAndDelete } from "../../../components/lxd/instance-impl.ts";

/**
 * The real LXD daemon prepared by tools/setup/prereqs-lxd.sh: this host's socket, the `dir` pool,
 * the bridge 10.232.0.1/24 and the busybox image `labfleet-runner`. Tests create instances with
 * names unique to this run and remove exactly those.
 */
export const SOCKET = process.env.LABFLEET_LXD_SOCKET ?? "/var/lib/lxd/unix.socket";
export const IMAGE = process.env.LABFLEET_LXD_IMAGE ?? "labfleet-runner";
export const HTTPS_ADDRESS = process.env.LABFLEET_LXD_HTTPS_ADDRESS ?? "127.0.0.1:18443";
export const BRIDGE_PREFIX = process.env.LABFLEET_LXD_BRIDGE_PREFIX ?? "10.232.0.";
export const POOL = process.env.LABFLEET_LXD_POOL ?? "labfleet";

const run = promisify(execFile);
export const RUN_ID = randomBytes(3).toString("hex");

export const unixRemote = { kind: "unix" as const, socket: SOCKET, project: "default" };
export const client = new LxdClient({ remote: unixRemote });

/** Fails (never skips) when the daemon is not there: CI runs the prereqs first. */
export async function requireLxd(): Promise<void> {
  if (!existsSync(SOCKET)) {
    throw new Error(`LXD socket ${SOCKET} is missing: run tools/setup/prereqs-lxd.sh (as root) before the LXD integration tests`);
  }
  const image = await client.find(`/1.0/images/aliases/${IMAGE}`, z.unknown());
  if (!image) throw new Error(`LXD image alias ${IMAGE} is missing: run tools/setup/prereqs-lxd.sh`);
}

const created = new Set<string>();

/** A unique instance name for this run, registered for cleanup. */
export function instanceName(label: string): string {
  const name = `lft-${RUN_ID}-${label}`;
  created.add(name);
  return name;
}

/** Removes every instance this run named (by exact name). */
export async function cleanupInstances(): Promise<void> {
  for (const name of created) await stopAndDelete(client, name, 0, 120).catch(() => undefined);
  created.clear();
}

/** Runs `lxc` (stdin closed: `lxc init` would otherwise wait for YAML on it). */
export async function lxc(...args: string[]): Promise<string> {
  const child = run("lxc", args, { timeout: 60_000 });
  child.child.stdin?.end();
  return (await child).stdout;
}

/** Minimal provider inputs for a test container on this host. */
export function containerInputs(name: string, extra: Record<string, unknown> = {}) {
  return {
    remote: unixRemote,
    name,
    type: "container",
    image: { alias: IMAGE },
    readiness: { timeoutSeconds: 60, cloudInit: false },
    stopTimeoutSeconds: 5,
    operationTimeoutSeconds: 120,
    ...extra,
  };
}
