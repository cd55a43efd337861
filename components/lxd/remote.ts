import { z } from "zod";

/**
 * Where an LXD daemon is reached: its local unix socket, or HTTPS with a TLS client certificate
 * (the key is a secret and travels separately, never in this object). One schema for the stack
 * config (`labfleet:lxd.remotes.<name>`) and the `LxdInstance` provider inputs.
 */
export const DEFAULT_SOCKET = "/var/lib/lxd/unix.socket";

const project = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+$/, "must be an LXD project name")
  .default("default")
  .describe("LXD project the instances live in");

export const LxdUnixRemote = z.strictObject({
  kind: z.literal("unix"),
  socket: z
    .string()
    .startsWith("/", "must be an absolute path")
    .default(DEFAULT_SOCKET)
    .describe("the daemon's unix socket (Debian: /var/lib/lxd/unix.socket, snap: /var/snap/lxd/common/lxd/unix.socket)"),
  project,
});

export const LxdHttpsRemote = z.strictObject({
  kind: z.literal("https"),
  url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).describe("https://host:8443 of the LXD API"),
  serverCertificate: z
    .string()
    .includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" })
    .optional()
    .describe("pinned server certificate (PEM); without it the system CAs and the host name are checked"),
  clientCertificate: z
    .string()
    .includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" })
    .describe("client certificate (PEM) trusted by the daemon; its key is the secret labfleet:lxdClientKey"),
  project,
});

export const LxdRemote = z.discriminatedUnion("kind", [LxdUnixRemote, LxdHttpsRemote]);
export type LxdRemote = z.output<typeof LxdRemote>;

/** A stable identity of the daemon + project (a change means a different instance: replace). */
export function remoteIdentity(r: LxdRemote): string {
  return r.kind === "unix" ? `unix:${r.socket}#${r.project}` : `${new URL(r.url).origin}#${r.project}`;
}

/** Human-readable "where", for errors. */
export function describeRemote(r: LxdRemote): string {
  return r.kind === "unix" ? `unix socket ${r.socket}` : new URL(r.url).origin;
}
