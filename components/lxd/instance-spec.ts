import { z } from "zod";
import { LxdRemote } from "./remote.ts";

/**
 * The `LxdInstance` inputs: what the component asks for, and what `check` normalises them to
 * (limits folded into `config`, defaults applied). One schema; `InstanceSpec` is its output.
 */

export const INSTANCE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
const SIZE = /^\d+(\.\d+)?(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;

export const ImageSource = z
  .strictObject({
    alias: z.string().min(1).optional().describe("image alias, e.g. 24.04 or labfleet-runner"),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{12,64}$/, "must be (a prefix of) a SHA-256 image fingerprint")
      .optional()
      .describe("image fingerprint (or a unique prefix of it)"),
    server: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).optional().describe("image server, e.g. https://cloud-images.ubuntu.com/releases"),
    protocol: z.enum(["simplestreams", "lxd"]).default("simplestreams").describe("protocol of the image server"),
  })
  .refine((i) => (i.alias === undefined) !== (i.fingerprint === undefined), { message: "set exactly one of alias or fingerprint" });
export type ImageSource = z.output<typeof ImageSource>;

export const DeviceMap = z.record(
  z.string().regex(/^[a-zA-Z0-9_.-]+$/, "must be a device name"),
  z.record(z.string(), z.string()).refine((d) => typeof d.type === "string" && d.type.length > 0, { message: "a device needs a type" }),
);

export const Readiness = z.strictObject({
  timeoutSeconds: z.number().int().positive().max(24 * 3600).default(600).describe("time for all readiness stages together"),
  agent: z.boolean().optional().describe("wait for the VM agent (state processes ≥ 0); default: true for virtual machines"),
  ipv4: z.boolean().default(true).describe("wait for a global IPv4 address"),
  cloudInit: z.boolean().default(true).describe("wait for `cloud-init status --wait`; false for images without cloud-init"),
});
export type Readiness = z.output<typeof Readiness>;

const configValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const InstanceInputs = z
  .strictObject({
    remote: LxdRemote,
    clientKey: z.string().includes("PRIVATE KEY", { message: "must be a PEM private key" }).optional(),
    name: z.string().regex(INSTANCE_NAME, "must be a valid LXD instance name (letters, digits, dashes; starts with a letter; ≤63)"),
    type: z.enum(["container", "virtual-machine"]),
    image: ImageSource,
    profiles: z.array(z.string().min(1)).default(["default"]),
    limits: z
      .strictObject({
        cpu: z.union([z.number().int().positive(), z.string().min(1)]).optional(),
        memory: z.string().regex(SIZE, "must be a size like 4GiB").optional(),
      })
      .optional(),
    rootDisk: z
      .strictObject({
        size: z.string().regex(SIZE, "must be a size like 40GiB"),
        pool: z.string().min(1).optional().describe("storage pool; default: the pool of the profiles' root disk"),
      })
      .optional(),
    config: z.record(z.string(), configValue).default({}),
    devices: DeviceMap.default({}),
    description: z.string().default(""),
    readiness: Readiness.prefault({}),
    stopTimeoutSeconds: z.number().int().min(0).max(3600).default(30).describe("graceful stop time before a forced stop"),
    operationTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .max(24 * 3600)
      .default(1800)
      .describe("time limit of one LXD operation (create incl. image download, start, stop, update, delete)"),
  })
  .superRefine((v, ctx) => {
    for (const key of Object.keys(v.config)) {
      if (isLxdOwnedKey(key)) ctx.addIssue({ code: "custom", path: ["config", key], message: "is managed by LXD and cannot be set" });
    }
    if (v.limits?.cpu !== undefined && "limits.cpu" in v.config) {
      ctx.addIssue({ code: "custom", path: ["limits", "cpu"], message: 'conflicts with config["limits.cpu"]' });
    }
    if (v.limits?.memory !== undefined && "limits.memory" in v.config) {
      ctx.addIssue({ code: "custom", path: ["limits", "memory"], message: 'conflicts with config["limits.memory"]' });
    }
    if (v.rootDisk && "root" in v.devices) {
      ctx.addIssue({ code: "custom", path: ["rootDisk"], message: 'conflicts with devices.root (use one of them)' });
    }
    if (v.remote.kind === "https" && !v.clientKey) {
      ctx.addIssue({ code: "custom", path: ["clientKey"], message: "required for an https remote (labfleet:lxdClientKey)" });
    }
  })
  .transform(({ limits, ...v }) => {
    const config = { ...v.config };
    if (limits?.cpu !== undefined) config["limits.cpu"] = String(limits.cpu);
    if (limits?.memory !== undefined) config["limits.memory"] = limits.memory;
    return { ...v, config };
  });

export type InstanceSpec = z.output<typeof InstanceInputs>;

/** The keys of a normalised spec (outputs carry these plus observed values). */
export const SPEC_KEYS = [
  "remote",
  "clientKey",
  "name",
  "type",
  "image",
  "profiles",
  "rootDisk",
  "config",
  "devices",
  "description",
  "readiness",
  "stopTimeoutSeconds",
  "operationTimeoutSeconds",
] as const satisfies readonly (keyof InstanceSpec)[];

/** Config keys LXD writes itself; never managed, never drift. */
export function isLxdOwnedKey(key: string): boolean {
  return key.startsWith("volatile.") || key.startsWith("image.");
}

/**
 * Keys LXD applies only on first boot (cloud-init reads them once), so a change must replace
 * the instance: `cloud-init.*` and the older `user.user-data`/`user.vendor-data`/
 * `user.network-config`/`user.meta-data`.
 */
export function isReplaceOnlyKey(key: string): boolean {
  return key.startsWith("cloud-init.") || ["user.user-data", "user.vendor-data", "user.network-config", "user.meta-data"].includes(key);
}

/** Keys whose values may hold secrets or bulk text: drift messages name them without values. */
export function isOpaqueKey(key: string): boolean {
  return key.startsWith("cloud-init.") || key.startsWith("user.") || key.startsWith("environment.") || key.startsWith("raw.");
}

/** Effective `readiness.agent`: VMs wait for their agent unless told otherwise. */
export function waitsForAgent(spec: Pick<InstanceSpec, "type" | "readiness">): boolean {
  return spec.readiness.agent ?? spec.type === "virtual-machine";
}
