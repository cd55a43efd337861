import { z } from "zod";
import { ChipName, StoreUrl } from "./artifacts.ts";

/**
 * The HUT inventory: ONE schema for the `hut` CLI's `--inventory` file and the stack's
 * `labfleet:hut` section. Unknown keys are errors everywhere.
 *
 * The body (`InventoryBody`) describes what a user writes — per-slot settings are optional —
 * and `resolveInventory` merges, per slot: slot value → inventory `defaults` → built-in
 * default, then checks the cross-slot rules (unique ids, labels, relay entities, serial paths).
 */

export const SLOT_ID = /^hut-\d{2,}$/;
export const BY_ID_PREFIX = "/dev/serial/by-id/";

const hex4 = z.string().regex(/^[0-9a-fA-F]{4}$/, "must be 4 hex digits");
export { ChipName };
const chip = ChipName;

export const BUILTIN_DEFAULTS = {
  chip: "esp32",
  flash: { baud: 460800, offset: "0x0", timeoutSeconds: 300 },
  powerCycle: { offSeconds: 5, retries: 2, cooldownSeconds: 10 },
  /** The lab app's banner (docs/runbooks/hut.md): what a board prints once it booted. */
  boot: { expect: "lab-node v[0-9.]+ ready", timeoutSeconds: 20, baud: 115200 },
} as const;

export const PowerCycleInput = z.strictObject({
  offSeconds: z.number().min(0).max(600).optional().describe("seconds the relay stays off (default 5)"),
  retries: z.number().int().min(0).max(10).optional().describe("extra attempts after a failed cycle (default 2)"),
  cooldownSeconds: z.number().min(0).max(600).optional().describe("pause between attempts (default 10)"),
});

export const FlashInput = z.strictObject({
  baud: z.number().int().positive().optional().describe("esptool --baud (default 460800)"),
  offset: z.string().regex(/^0x[0-9a-fA-F]+$/, "must be a hex offset like 0x10000").optional().describe("write-flash offset of the image (default 0x0)"),
  timeoutSeconds: z.number().int().positive().max(3600).optional().describe("esptool time limit (default 300)"),
});

const regexSource = z.string().refine(
  (v) => {
    try {
      new RegExp(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be a valid JavaScript regular expression" },
);

export const BootInput = z.strictObject({
  expect: regexSource.optional().describe("regex the board prints once booted (default: the lab app's banner)"),
  timeoutSeconds: z.number().positive().max(600).optional().describe("time from the reset to the pattern (default 20)"),
  baud: z.number().int().min(50).max(4_000_000).optional().describe("serial baud rate of the boot output (default 115200)"),
});

export const UsbIdentity = z.strictObject({
  vendorid: hex4.describe("USB vendor id of the slot's serial adapter"),
  productid: hex4.describe("USB product id"),
  serial: z.string().min(1).optional().describe("USB serial number (disambiguates identical adapters)"),
});

export const SlotInput = z.strictObject({
  id: z.string().regex(SLOT_ID, "must look like hut-NN").describe("slot id, hut-NN (unique)"),
  label: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes")
    .describe("CI runner label (tag) of the slot (unique)"),
  runner: z.string().min(1).describe('runner host carrying the slot: an lxd.runners name, or "local"'),
  serialById: z
    .string()
    .refine((s) => s.startsWith(BY_ID_PREFIX) && s.length > BY_ID_PREFIX.length, { message: `must start with ${BY_ID_PREFIX}` })
    .refine((s) => !s.split("/").includes(".."), { message: "must not contain .." })
    .describe("stable serial path under /dev/serial/by-id/"),
  relay: z
    .strictObject({
      entity: z.string().regex(/^switch\.[a-z0-9_]+$/, "must be a switch.* entity id").describe("Home Assistant relay entity (unique)"),
    })
    .describe("the relay that powers the board"),
  chip: chip.optional().describe("esptool --chip (default: defaults.chip, else esp32)"),
  usb: UsbIdentity.optional().describe("USB identity for passthrough into a runner VM"),
  flash: FlashInput.optional().describe("flash settings over defaults.flash"),
  powerCycle: PowerCycleInput.optional().describe("power-cycle settings over defaults.powerCycle"),
  boot: BootInput.optional().describe("boot check after flashing, over defaults.boot"),
});

/** A slot as written (alias kept for tools/docs/config-reference.ts). */
export const Slot = SlotInput;

export const HomeAssistant = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).describe("Home Assistant base URL; the token comes from HA_TOKEN or the haToken secret"),
  requestTimeoutSeconds: z.number().positive().max(120).default(10).describe("per-request timeout"),
  pollIntervalSeconds: z.number().positive().max(60).default(1).describe("state poll interval"),
  stateTimeoutSeconds: z.number().positive().max(600).default(30).describe("time for the relay to reach the asked state"),
});

export const InventoryDefaults = z.strictObject({
  chip: chip.optional().describe("chip of slots that name none"),
  flash: FlashInput.optional().describe("flash settings of every slot"),
  powerCycle: PowerCycleInput.optional().describe("power-cycle settings of every slot"),
  boot: BootInput.optional().describe("boot check settings of every slot"),
});

/** Where `hut fetch` (and `hut flash --sha`) find the upstream lane's builds by commit SHA. */
export const InventoryArtifacts = z.strictObject({
  store: StoreUrl.describe("artifact store URL: s3://bucket[/prefix], gs://bucket[/prefix] or file:///dir (docs/design/artifacts.md)"),
});

export const InventoryBody = z.strictObject({
  homeAssistant: HomeAssistant.optional().describe("Home Assistant for relay power-cycles"),
  artifacts: InventoryArtifacts.optional().describe("the artifact store of firmware builds by commit SHA"),
  defaults: InventoryDefaults.optional().describe("settings merged under each slot"),
  slots: z.array(SlotInput).describe("the slots"),
});

type SlotInput = z.output<typeof SlotInput>;
export type SlotConfig = Omit<SlotInput, "chip" | "flash" | "powerCycle" | "boot"> & {
  chip: string;
  boot: { expect: string; timeoutSeconds: number; baud: number };
  flash: { baud: number; offset: string; timeoutSeconds: number };
  powerCycle: { offSeconds: number; retries: number; cooldownSeconds: number };
};
export type HomeAssistantConfig = z.output<typeof HomeAssistant>;

function uniqueBy(slots: SlotConfig[], key: (s: SlotConfig) => string, what: (s: SlotConfig) => string, field: PropertyKey[], ctx: z.RefinementCtx) {
  const seen = new Map<string, number>();
  slots.forEach((slot, i) => {
    const k = key(slot);
    const first = seen.get(k);
    if (first !== undefined) {
      ctx.addIssue({ code: "custom", path: ["slots", i, ...field], message: `duplicate ${what(slot)} (also slots[${first}])` });
    } else seen.set(k, i);
  });
}

/** Applies defaults beneath each slot, then checks the cross-slot uniqueness rules. */
export function resolveInventory(inv: z.output<typeof InventoryBody>, ctx: z.RefinementCtx) {
  const d = inv.defaults ?? {};
  const slots: SlotConfig[] = inv.slots.map((s) => ({
    ...s,
    chip: s.chip ?? d.chip ?? BUILTIN_DEFAULTS.chip,
    flash: { ...BUILTIN_DEFAULTS.flash, ...d.flash, ...s.flash },
    powerCycle: { ...BUILTIN_DEFAULTS.powerCycle, ...d.powerCycle, ...s.powerCycle },
    boot: { ...BUILTIN_DEFAULTS.boot, ...d.boot, ...s.boot },
  }));
  const q = JSON.stringify;
  uniqueBy(slots, (s) => s.id, (s) => `id ${q(s.id)}`, ["id"], ctx);
  uniqueBy(slots, (s) => s.label, (s) => `label ${q(s.label)}`, ["label"], ctx);
  uniqueBy(slots, (s) => s.relay.entity, (s) => `relay entity ${q(s.relay.entity)}`, ["relay", "entity"], ctx);
  uniqueBy(slots, (s) => `${s.runner}\u0000${s.serialById}`, (s) => `serial path ${q(s.serialById)} on runner ${q(s.runner)}`, ["serialById"], ctx);
  usbOverlaps(slots, ctx);
  return { homeAssistant: inv.homeAssistant, artifacts: inv.artifacts, slots };
}

/**
 * Two `usb` selectors that could pick the same adapter: same vendor/product and a serial that
 * does not tell them apart (missing on either side, or equal). Passthrough would hand one board
 * to the wrong runner, so this is a config error naming both slots.
 */
function usbOverlaps(slots: SlotConfig[], ctx: z.RefinementCtx) {
  slots.forEach((b, j) => {
    for (let i = 0; i < j; i++) {
      const a = slots[i] as SlotConfig;
      if (!a.usb || !b.usb) continue;
      if (a.usb.vendorid.toLowerCase() !== b.usb.vendorid.toLowerCase() || a.usb.productid.toLowerCase() !== b.usb.productid.toLowerCase()) continue;
      if (a.usb.serial && b.usb.serial && a.usb.serial !== b.usb.serial) continue;
      const id = `${a.usb.vendorid}:${a.usb.productid}`.toLowerCase();
      const why = a.usb.serial && b.usb.serial ? `the same serial ${JSON.stringify(a.usb.serial)}` : "no usb.serial on both to tell them apart";
      ctx.addIssue({
        code: "custom",
        path: ["slots", j, "usb"],
        message: `slots ${a.id} and ${b.id} could both match USB adapter ${id} (${why}); add the adapters' usb.serial (slots[${i}])`,
      });
    }
  });
}

export const Inventory = InventoryBody.transform(resolveInventory);
export type InventoryConfig = z.output<typeof Inventory>;
