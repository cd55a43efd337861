import { posix } from "node:path";
import { parse as parseYaml } from "yaml";
import { BY_ID_PREFIX, Inventory, SLOT_ID } from "../../hardware/schema/inventory.ts";
import { isLabfleetRuntime } from "./resource.ts";
import { walk } from "./walk.ts";

/**
 * Where hardware slots show up in a plan: command resources (`hut flash --slot …`, env,
 * stdin/triggers), labfleet dynamic resources (runner VMs with USB passthrough and the hut
 * inventory in cloud-init, slot records) — as device paths, embedded inventories (JSON/YAML
 * validated with the hut CLI's own `Inventory` schema) and slot-shaped objects.
 */

export const carriesHardware = isLabfleetRuntime;

/** Kernel-enumerated names that change across reboots/replugs. */
export const UNSTABLE_DEVICE = /\/dev\/(?:tty(?:USB|ACM|S|AMA|XRUSB|THS)\d+|cu\.[\w.-]+|serial\/by-path\/[^\s"'`;|&)]+)/g;
const BY_ID_REF = /\/dev\/serial\/by-id\/[^\s"'`;|&)]*/g;

export interface DeviceProblem {
  path: string;
  device: string;
  why: string;
}

export function deviceProblems(s: string, path: string): DeviceProblem[] {
  const out: DeviceProblem[] = [];
  for (const m of s.matchAll(UNSTABLE_DEVICE)) out.push({ path, device: m[0], why: "is a kernel-enumerated name that changes across reboots" });
  for (const m of s.matchAll(BY_ID_REF)) {
    const p = m[0];
    const norm = posix.normalize(p);
    if (p.split("/").includes("..") || !norm.startsWith(BY_ID_PREFIX) || norm.length === BY_ID_PREFIX.length) {
      out.push({ path, device: p, why: `leaves ${BY_ID_PREFIX} (resolves to ${norm})` });
    }
  }
  return out;
}

export interface SlotRecord {
  id: string;
  label?: string;
  runner?: string;
  serialById?: string;
  relay?: string;
  where: string;
}

function slotFrom(o: Record<string, unknown>, where: string): SlotRecord | undefined {
  if (typeof o.id !== "string" || !SLOT_ID.test(o.id)) return undefined;
  if (!("serialById" in o) && !("relay" in o) && !("relayEntity" in o)) return undefined;
  const relay = (o.relay as { entity?: unknown } | undefined)?.entity ?? o.relayEntity;
  return {
    id: o.id,
    label: typeof o.label === "string" ? o.label : undefined,
    runner: typeof o.runner === "string" ? o.runner : undefined,
    serialById: typeof o.serialById === "string" ? o.serialById : undefined,
    relay: typeof relay === "string" ? relay : undefined,
    where,
  };
}

function yamlInventory(s: string): unknown {
  if (!/(^|\n)slots:\s*\n/.test(s)) return undefined;
  try {
    return parseYaml(s);
  } catch {
    return undefined;
  }
}

export interface HardwareScan {
  devices: DeviceProblem[];
  inventoryIssues: { where: string; message: string }[];
  slots: SlotRecord[];
}

/** Scans one resource's revealed props. */
export function scanHardware(props: Record<string, unknown>): HardwareScan {
  const scan: HardwareScan = { devices: [], inventoryIssues: [], slots: [] };
  const inventories: { doc: unknown; where: string }[] = [];
  for (const v of walk(props)) {
    if (typeof v.value === "string") {
      scan.devices.push(...deviceProblems(v.value, v.path));
      const y = yamlInventory(v.value);
      if (y && typeof y === "object") inventories.push({ doc: y, where: v.path });
    } else if (v.value && typeof v.value === "object" && !Array.isArray(v.value)) {
      const o = v.value as Record<string, unknown>;
      if (Array.isArray(o.slots)) inventories.push({ doc: o, where: v.path || "(inputs)" });
      else {
        const rec = slotFrom(o, v.path);
        if (rec) scan.slots.push(rec);
      }
    }
  }
  for (const inv of inventories) {
    const r = Inventory.safeParse(inv.doc);
    if (!r.success) {
      for (const i of r.error.issues) scan.inventoryIssues.push({ where: `${inv.where} slots${i.path.slice(1).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`, message: i.message });
    }
    const slots = (inv.doc as { slots: unknown[] }).slots;
    slots.forEach((s, i) => {
      if (s && typeof s === "object") {
        const rec = slotFrom(s as Record<string, unknown>, `${inv.where} slots[${i}]`);
        if (rec) scan.slots.push(rec);
      }
    });
  }
  return scan;
}
