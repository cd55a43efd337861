import { z } from "zod";

/**
 * The HUT inventory: one schema for the `hut` CLI's `--inventory` file and the stack's
 * `labfleet:hut` section. Unknown keys are errors everywhere.
 */

export const SLOT_ID = /^hut-\d{2,}$/;
export const BY_ID_PREFIX = "/dev/serial/by-id/";

const hex4 = z.string().regex(/^[0-9a-fA-F]{4}$/, "must be 4 hex digits");

export const PowerCycleSettings = z.strictObject({
  offSeconds: z.number().min(0).max(600).default(5).describe("seconds the relay stays off"),
  retries: z.number().int().min(0).max(10).default(2).describe("extra attempts after a failed cycle"),
  cooldownSeconds: z.number().min(0).max(600).default(10).describe("pause between attempts"),
});

export const FlashSettings = z.strictObject({
  baud: z.number().int().positive().default(460800).describe("esptool write baud rate"),
  offset: z.string().regex(/^0x[0-9a-fA-F]+$/, "must be a hex offset like 0x10000").default("0x0").describe("flash offset of the image"),
  timeoutSeconds: z.number().int().positive().max(3600).default(300).describe("esptool time limit"),
});

export const UsbIdentity = z.strictObject({
  vendorid: hex4.describe("USB vendor id of the slot's serial adapter"),
  productid: hex4.describe("USB product id"),
  serial: z.string().min(1).optional().describe("USB serial number (disambiguates identical adapters)"),
});

export const Slot = z.strictObject({
  id: z.string().regex(SLOT_ID, "must look like hut-NN").describe("slot id, hut-NN"),
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes")
    .describe("CI runner label (tag) of the slot"),
  runner: z.string().min(1).describe("name of the runner host carrying the slot"),
  serialById: z
    .string()
    .refine((s) => s.startsWith(BY_ID_PREFIX) && s.length > BY_ID_PREFIX.length, {
      message: `must start with ${BY_ID_PREFIX}`,
    })
    .describe("stable serial path under /dev/serial/by-id/"),
  relay: z.strictObject({
    entity: z.string().regex(/^switch\.[a-z0-9_]+$/, "must be a switch.* entity id").describe("Home Assistant relay entity"),
  }),
  chip: z.string().regex(/^esp32[a-z0-9]*$/, "must be an esptool chip name like esp32, esp32s3").default("esp32").describe("esptool --chip"),
  usb: UsbIdentity.optional().describe("USB identity for passthrough into a runner VM"),
  flash: FlashSettings.prefault({}),
  powerCycle: PowerCycleSettings.prefault({}),
});

export const HomeAssistant = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe("Home Assistant base URL; the token comes from HA_TOKEN or a secret"),
  requestTimeoutSeconds: z.number().positive().max(120).default(10).describe("per-request timeout"),
  pollIntervalSeconds: z.number().positive().max(60).default(1).describe("state poll interval"),
  stateTimeoutSeconds: z.number().positive().max(600).default(30).describe("time for the relay to reach the asked state"),
});

function uniqueBy<T>(items: T[], key: (t: T) => string, field: string, ctx: z.RefinementCtx, pathOf: (i: number) => PropertyKey[]) {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: pathOf(i), message: `duplicate ${field} ${JSON.stringify(k)} (also slots[${first}])` });
    } else seen.set(k, i);
  });
}

export const InventoryBody = z.strictObject({
  homeAssistant: HomeAssistant.optional(),
  defaults: z
    .strictObject({
      chip: z.string().optional(),
      flash: FlashSettings.partial().optional(),
      powerCycle: PowerCycleSettings.partial().optional(),
    })
    .optional()
    .describe("defaults merged under each slot"),
  slots: z.array(z.unknown()).describe("the slots (see Slot)"),
});

type InventoryInput = z.output<typeof InventoryBody>;

/** Applies `defaults` beneath each slot, then validates slots and cross-slot uniqueness. */
export function resolveInventory(inv: InventoryInput, ctx: z.RefinementCtx) {
  const slots: z.output<typeof Slot>[] = [];
  inv.slots.forEach((raw, i) => {
    const merged =
      raw && typeof raw === "object" && inv.defaults
        ? {
            ...(inv.defaults.chip !== undefined ? { chip: inv.defaults.chip } : {}),
            ...(raw as Record<string, unknown>),
            flash: { ...inv.defaults.flash, ...((raw as { flash?: object }).flash ?? {}) },
            powerCycle: { ...inv.defaults.powerCycle, ...((raw as { powerCycle?: object }).powerCycle ?? {}) },
          }
        : raw;
    const r = Slot.safeParse(merged, { reportInput: true });
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ["slots", i, ...issue.path] } as never);
    } else slots.push(r.data);
  });
  if (slots.length === inv.slots.length) {
    uniqueBy(slots, (s) => s.id, "id", ctx, (i) => ["slots", i, "id"]);
    uniqueBy(slots, (s) => s.label, "label", ctx, (i) => ["slots", i, "label"]);
    uniqueBy(slots, (s) => s.relay.entity, "relay entity", ctx, (i) => ["slots", i, "relay", "entity"]);
    uniqueBy(slots, (s) => `${s.runner}\u0000${s.serialById}`, "serial path on one runner", ctx, (i) => ["slots", i, "serialById"]);
  }
  return { homeAssistant: inv.homeAssistant, slots };
}

export const Inventory = InventoryBody.transform(resolveInventory);

export type SlotConfig = z.output<typeof Slot>;
export type InventoryConfig = z.output<typeof Inventory>;
