import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { z } from "zod";
import { LxdClient } from "../../../components/lxd/client.ts";
import { stopAndDelete } from "../../../components/lxd/instance-impl.ts";

/**
 * The real daemon these tests run against: LXD 5.0.2 (tools/setup/prereqs-lxd.sh) or Incus 6.0
 * (tools/setup/prereqs-incus.sh), chosen by LABFLEET_DAEMON (lxd | incus; vitest.config.ts runs
 * this folder once per daemon). Each has its socket, a `dir` pool, its own bridge and the busybox
 * image `labfleet-runner`. Tests create instances with names unique to this run and remove
 * exactly those.
 */
const DAEMONS = {
  lxd: {
    socket: "/var/lib/lxd/unix.socket",
    cli: "lxc",
    https: "127.0.0.1:18443",
    bridgePrefix: "10.232.0.",
    prereqs: "prereqs-lxd.sh",
    fileHeader: "x-lxd-",
    missingImage: "LXD POST /1\\.0/instances .*failed \\(404\\): Image alias not found",
    missingInstance: (_name: string) => "failed (404): Instance not found",
  },
  incus: {
    socket: "/var/lib/incus/unix.socket",
    cli: "incus",
    https: "127.0.0.1:18444",
    bridgePrefix: "10.233.0.",
    prereqs: "prereqs-incus.sh",
    fileHeader: "x-incus-",
    missingImage: 'LXD POST /1\\.0/instances .*: operation "Creating instance" ended Failure: Image not provided for instance creation',
    missingInstance: (name: string) => `failed (404): Failed to fetch instance "${name}" in project "default": Instance not found`,
  },
} as const;
export const DAEMON = z.enum(["lxd", "incus"]).parse(process.env.LABFLEET_DAEMON ?? "lxd");
const daemon = DAEMONS[DAEMON];
export const SOCKET = process.env.LABFLEET_LXD_SOCKET ?? daemon.socket;
export const IMAGE = process.env.LABFLEET_LXD_IMAGE ?? "labfleet-runner";
export const HTTPS_ADDRESS = process.env.LABFLEET_LXD_HTTPS_ADDRESS ?? daemon.https;
export const BRIDGE_PREFIX = process.env.LABFLEET_LXD_BRIDGE_PREFIX ?? daemon.bridgePrefix;
export const POOL = process.env.LABFLEET_LXD_POOL ?? "labfleet";
/** Where the daemons' answers differ (docs/design/lxd.md "LXD and Incus"). */
export const ANSWERS = { fileHeader: daemon.fileHeader, missingImage: daemon.missingImage, missingInstance: daemon.missingInstance };

const run = promisify(execFile);
export const RUN_ID = randomBytes(3).toString("hex");

export const unixRemote = { kind: "unix" as const, socket: SOCKET, project: "default" };
export const client = new LxdClient({ remote: unixRemote });

/** Fails (never skips) when the daemon is not there: CI runs the prereqs first. */
export async function requireLxd(): Promise<void> {
  if (!existsSync(SOCKET)) {
    throw new Error(`${DAEMON} socket ${SOCKET} is missing: run tools/setup/${daemon.prereqs} (as root) before the LXD integration tests`);
  }
  const image = await client.find(`/1.0/images/aliases/${IMAGE}`, z.unknown());
  if (!image) throw new Error(`${DAEMON} image alias ${IMAGE} is missing: run tools/setup/${daemon.prereqs}`);
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

/** Runs the daemon's client, `lxc` or `incus` (stdin closed: `init` would otherwise wait for YAML on it). */
export async function cli(...args: string[]): Promise<string> {
  const child = run(daemon.cli, args, { timeout: 60_000 });
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
