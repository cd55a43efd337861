import { z } from "zod";

/**
 * The parts of the LXD REST API (https://documentation.ubuntu.com/lxd/en/latest/rest-api/) that
 * labfleet relies on, validated at the edge. Objects are loose: LXD adds fields between releases.
 */

export const LxdErrorEnvelope = z.object({
  type: z.literal("error"),
  error: z.string(),
  error_code: z.number().int(),
});

export const LxdOperation = z.object({
  id: z.string(),
  class: z.string().optional(),
  description: z.string().optional(),
  status: z.string(),
  status_code: z.number().int(),
  err: z.string().default(""),
  metadata: z.record(z.string(), z.unknown()).nullable().default(null),
});
export type LxdOperation = z.output<typeof LxdOperation>;

export const LxdSyncEnvelope = z.object({
  type: z.literal("sync"),
  status_code: z.number().int(),
  metadata: z.unknown(),
});

export const LxdAsyncEnvelope = z.object({
  type: z.literal("async"),
  operation: z.string().startsWith("/1.0/operations/"),
  metadata: LxdOperation,
});

export const LxdEnvelope = z.discriminatedUnion("type", [LxdSyncEnvelope, LxdAsyncEnvelope, LxdErrorEnvelope]);

const StringMap = z.record(z.string(), z.string());
export const DeviceMap = z.record(z.string(), StringMap);

export const LxdInstance = z.object({
  name: z.string(),
  type: z.enum(["container", "virtual-machine"]),
  status: z.string(),
  status_code: z.number().int(),
  architecture: z.string().optional(),
  description: z.string().default(""),
  config: StringMap.default({}),
  devices: DeviceMap.default({}),
  profiles: z.array(z.string()).default([]),
  ephemeral: z.boolean().default(false),
  stateful: z.boolean().default(false),
  expanded_config: StringMap.default({}),
  expanded_devices: DeviceMap.default({}),
  location: z.string().optional(),
  project: z.string().optional(),
});
export type LxdInstance = z.output<typeof LxdInstance>;

export const LxdAddress = z.object({
  family: z.string(),
  address: z.string(),
  netmask: z.string().optional(),
  scope: z.string(),
});

export const LxdInstanceState = z.object({
  status: z.string(),
  status_code: z.number().int(),
  /** -1 for a VM whose agent is not (yet) reachable. */
  processes: z.number().int(),
  network: z
    .record(
      z.string(),
      z.object({
        addresses: z.array(LxdAddress).nullable().default([]),
        state: z.string().optional(),
        type: z.string().optional(),
      }),
    )
    .nullable()
    .default(null),
});
export type LxdInstanceState = z.output<typeof LxdInstanceState>;

export const LxdProfile = z.object({
  name: z.string(),
  config: StringMap.default({}),
  devices: DeviceMap.default({}),
});

/** Metadata of a finished exec operation started with `record-output: true`. */
export const LxdExecResult = z.object({
  return: z.number().int(),
  output: z.record(z.string(), z.string()).default({}),
});

export const LxdServer = z.object({
  api_extensions: z.array(z.string()).default([]),
  api_version: z.string(),
  auth: z.string(),
  environment: z.object({ server_version: z.string().optional() }).loose().optional(),
});

/** LXD status codes (https://documentation.ubuntu.com/lxd/en/latest/rest-api/#list-of-current-status-codes). */
export const STATUS = {
  running: 103,
  stopped: 102,
  success: 200,
  failure: 400,
  cancelled: 401,
} as const;
