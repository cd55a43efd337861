import { z } from "zod";
import { GITLAB_APT_KEY_FINGERPRINT } from "./cloud-init.ts";
import { DEFAULT_SOCKET, LxdRemote } from "./remote.ts";

const size = (example: string) => z.string().regex(/^\d+(MiB|GiB|TiB|MB|GB|TB)$/, `must be a size like ${example}`);

export const RunnerHostConfig = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, "must be a valid LXD instance name")
      .describe("runner host name: the LXD instance name, and `runner` in hut slots"),
    remote: z.string().min(1).default("local").describe("key of labfleet:lxd.remotes the instance lives on"),
    type: z.enum(["container", "virtual-machine"]).default("virtual-machine").describe("LXD instance type"),
    image: z
      .string()
      .min(1)
      .default("24.04")
      .describe("image alias, or a 64-hex-digit fingerprint (a fingerprint is used as such)"),
    imageServer: z
      .url({ protocol: /^https$/, error: "must be an https:// URL" })
      .optional()
      .describe("simplestreams server to pull the image from (e.g. https://cloud-images.ubuntu.com/releases); absent = the image is on the LXD host"),
    profiles: z.array(z.string().min(1)).default(["default"]).describe("LXD profiles, in order"),
    cpu: z.number().int().positive().default(2).describe("limits.cpu"),
    memory: size("4GiB").default("4GiB").describe("limits.memory"),
    diskSize: size("40GiB").default("40GiB").describe("root disk size"),
    diskPool: z.string().min(1).optional().describe("storage pool of the root disk; default: the pool of the profiles' root disk"),
    sshUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name").default("runner").describe("user the hut command resources log in as"),
    sshPublicKey: z.string().startsWith("ssh-", "must be an OpenSSH public key").optional().describe("public key authorised for sshUser (required with cloudInit)"),
    cloudInit: z.boolean().default(true).describe("apply the runner cloud-init baseline and wait for it (false for images without cloud-init)"),
    nodeChannel: z.string().regex(/^\d+\/(stable|candidate|beta|edge)$/, "must be a snap channel like 20/stable").default("20/stable").describe("snap channel of Node for the hut CLI"),
    hutPackage: z.string().min(1).optional().describe("npm package spec installed globally for the hut CLI (e.g. a git URL); absent = not installed by cloud-init"),
    gitlabRunnerAptKey: z
      .string()
      .regex(/^[0-9A-F]{40}$/, "must be a full 40-hex-digit upper-case key fingerprint")
      .default(GITLAB_APT_KEY_FINGERPRINT)
      .describe("fingerprint of the signing key of GitLab's gitlab-runner apt repository (the baseline installs gitlab-runner from it)"),
    wireguard: z
      .boolean()
      .optional()
      .describe("join the WireGuard mesh as a runner peer (config pushed into the instance); default: with cloudInit, when labfleet:wireguard is on"),
    readinessTimeoutSeconds: z.number().int().positive().max(86400).default(900).describe("time for the instance to run, its agent, IPv4 and cloud-init"),
    stopTimeoutSeconds: z.number().int().min(0).max(3600).default(30).describe("graceful stop time before a forced stop (delete/replace)"),
    config: z.record(z.string(), z.string()).default({}).describe("extra LXD instance config keys (override the generated ones)"),
    devices: z
      .record(z.string(), z.record(z.string(), z.string()))
      .default({})
      .describe("extra LXD devices (USB devices of the runner's HUT slots are added automatically)"),
  })
  .superRefine((r, ctx) => {
    if (r.cloudInit && !r.sshPublicKey) {
      ctx.addIssue({ code: "custom", path: ["sshPublicKey"], message: "required when cloudInit is true (the runner user needs a key)" });
    }
    if (r.wireguard === true && !r.cloudInit) {
      ctx.addIssue({ code: "custom", path: ["wireguard"], message: "needs cloudInit (the baseline installs wireguard-tools)" });
    }
    for (const k of Object.keys(r.config)) {
      if (k.startsWith("volatile.") || k.startsWith("image.")) ctx.addIssue({ code: "custom", path: ["config", k], message: "is managed by LXD" });
    }
  });
export type RunnerHostConfig = z.output<typeof RunnerHostConfig>;

/** `labfleet:lxd` — LXD daemons and the runner hosts on them (registered by stacks/config/sections/lxd.ts). */
export const LxdBody = z.strictObject({
  remotes: z
    .record(z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a lower-case remote name"), LxdRemote)
    .default({ local: { kind: "unix", socket: DEFAULT_SOCKET, project: "default" } })
    .describe("LXD daemons by name: `unix` (this host's socket) or `https` (client certificate)"),
  runners: z.array(RunnerHostConfig).default([]).describe("runner hosts (LXD instances)"),
});

export type LxdSettings = z.output<typeof LxdBody>;

/** Cross-key rules of `labfleet:lxd`: every runner on a declared remote, runner names unique. */
export function resolveLxd(parsed: LxdSettings, ctx: z.RefinementCtx): LxdSettings {
  const seen = new Map<string, number>();
  parsed.runners.forEach((r, i) => {
    if (!(r.remote in parsed.remotes)) {
      ctx.addIssue({
        code: "custom",
        path: ["runners", i, "remote"],
        message: `remote ${JSON.stringify(r.remote)} is not declared in lxd.remotes (have: ${Object.keys(parsed.remotes).join(", ") || "none"})`,
      });
    }
    const first = seen.get(r.name);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: ["runners", i, "name"], message: `duplicate runner name (also runners[${first}])` });
    else seen.set(r.name, i);
  });
  return parsed;
}
