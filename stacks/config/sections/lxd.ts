import { z } from "zod";
import { registerSection } from "../section.ts";

export const LxdRemote = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("unix"),
    socket: z.string().startsWith("/").default("/var/lib/lxd/unix.socket"),
  }),
  z.strictObject({
    kind: z.literal("https"),
    url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
    serverCertificate: z.string().includes("BEGIN CERTIFICATE").optional().describe("pinned server certificate (PEM)"),
    clientCertificate: z.string().includes("BEGIN CERTIFICATE").describe("client certificate (PEM); its key is the secret labfleet:lxdClientKey"),
  }),
]);

export const RunnerConfig = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "must be a valid LXD instance name"),
  remote: z.string().min(1).default("local"),
  type: z.enum(["container", "virtual-machine"]).default("virtual-machine"),
  image: z.string().min(1).default("ubuntu/24.04/cloud"),
  imageServer: z.url().optional().describe("simplestreams server for the image"),
  profiles: z.array(z.string()).default(["default"]),
  cpu: z.number().int().positive().default(2),
  memory: z.string().regex(/^\d+(MiB|GiB|MB|GB)$/).default("4GiB"),
  diskSize: z.string().regex(/^\d+(MiB|GiB|MB|GB)$/).default("40GiB"),
  sshUser: z.string().default("runner"),
  sshPublicKey: z.string().startsWith("ssh-").optional(),
  cloudInit: z.boolean().default(true).describe("apply the runner cloud-init baseline and wait for it"),
  readinessTimeoutSeconds: z.number().int().positive().default(900),
  config: z.record(z.string(), z.string()).default({}),
});

export const LxdBody = z.strictObject({
  remotes: z.record(z.string(), LxdRemote).default({ local: { kind: "unix", socket: "/var/lib/lxd/unix.socket" } }),
  runners: z.array(RunnerConfig).default([]),
});
export const Lxd = registerSection("lxd", LxdBody);
