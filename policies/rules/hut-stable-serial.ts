import type { StackValidationPolicy } from "@pulumi/policy";
import { BY_ID_PREFIX } from "../../hardware/schema/inventory.ts";
import { carriesHardware, scanHardware, type SlotRecord } from "../lib/hut.ts";
import { describe, hint } from "../lib/message.ts";
import { stackItems } from "../lib/stack.ts";

/**
 * Hardware slots use stable serial identities: serial ports only as `/dev/serial/by-id/…`
 * (never ttyUSB/ttyACM/by-path, never a by-id path that escapes the directory), every embedded
 * inventory valid under the hut CLI's schema, and slot ids, labels and relay entities unique
 * across the whole stack (one slot may appear in several resources, but always identically).
 * Unknowns: device paths and inventories are literals; the known strings are checked (an
 * unknown string is another resource's output, e.g. a runner address).
 */
const FIX_PATH = `use the adapter's ${BY_ID_PREFIX}<id> symlink (ls -l ${BY_ID_PREFIX}) in labfleet:hut.slots[].serialById`;

export const hutStableSerial: StackValidationPolicy = {
  name: "hut-stable-serial",
  description: "HUT slots use stable /dev/serial/by-id paths and unique slot ids, runner labels and relay entities.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Point each slot at /dev/serial/by-id/…; give every slot its own id, label and relay entity.",
  validateStack: (args, report) => {
    const slots: (SlotRecord & { urn: string; owner: string })[] = [];
    for (const item of stackItems(args.resources)) {
      if (!carriesHardware(item.r.type)) continue;
      const scan = scanHardware(item.props);
      const name = describe(item.r);
      const seen = new Set<string>();
      for (const d of scan.devices) {
        const key = `${d.path}\u0000${d.device}`;
        if (seen.has(key)) continue;
        seen.add(key);
        report(hint(`${name} uses serial device ${d.device} at ${d.path}, which ${d.why}`, FIX_PATH), item.r.urn);
      }
      for (const i of scan.inventoryIssues) report(hint(`${name} carries an invalid hut inventory: ${i.where}: ${i.message}`, "fix labfleet:hut.slots (the hut CLI's inventory schema)"), item.r.urn);
      for (const s of scan.slots) slots.push({ ...s, urn: item.r.urn, owner: name });
    }
    const byId = new Map<string, (typeof slots)[number]>();
    const unique = (field: "label" | "relay", what: string) => {
      const first = new Map<string, (typeof slots)[number]>();
      for (const s of slots) {
        const v = s[field];
        if (!v) continue;
        const f = first.get(v);
        if (f && f.id !== s.id) report(hint(`slots ${f.id} and ${s.id} share the ${what} ${JSON.stringify(v)} (${f.owner}, ${s.owner})`, `give every slot its own ${what}`), s.urn);
        else if (!f) first.set(v, s);
      }
    };
    for (const s of slots) {
      const f = byId.get(s.id);
      if (!f) {
        byId.set(s.id, s);
        continue;
      }
      for (const k of ["serialById", "label", "relay", "runner"] as const) {
        if (f[k] !== undefined && s[k] !== undefined && f[k] !== s[k]) {
          report(hint(`slot ${s.id} is defined twice with different ${k}: ${JSON.stringify(f[k])} (${f.owner}) vs ${JSON.stringify(s[k])} (${s.owner})`, "declare each slot once in labfleet:hut.slots"), s.urn);
        }
      }
    }
    unique("label", "runner label");
    unique("relay", "relay entity");
    const serial = new Map<string, (typeof slots)[number]>();
    for (const s of slots) {
      if (!s.serialById) continue;
      const key = `${s.runner ?? ""}\u0000${s.serialById}`;
      const f = serial.get(key);
      if (f && f.id !== s.id) report(hint(`slots ${f.id} and ${s.id} use the same serial port ${s.serialById}`, "each slot needs its own adapter"), s.urn);
      else if (!f) serial.set(key, s);
    }
  },
};
