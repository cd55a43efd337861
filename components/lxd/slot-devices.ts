import type { SlotConfig } from "../../hardware/schema/inventory.ts";

/**
 * LXD devices that give a runner its HUT slots' serial adapters (slots with `runner` = this
 * runner's name). A VM needs `usb` passthrough by vendorid/productid(/serial) — `unix-char` does
 * not reach into a VM; a container gets the by-id character device as `unix-char`.
 * Device names: `<slot id>-usb` / `<slot id>-serial`.
 */
/** The slot fields passthrough needs. */
export type PassthroughSlot = Pick<SlotConfig, "id" | "runner" | "serialById" | "usb">;

export function slotDevices(runner: { name: string; type: "container" | "virtual-machine" }, slots: readonly PassthroughSlot[]): Record<string, Record<string, string>> {
  const devices: Record<string, Record<string, string>> = {};
  for (const slot of slots) {
    if (slot.runner !== runner.name) continue;
    if (runner.type === "virtual-machine") {
      if (!slot.usb) {
        throw new Error(`hut slot ${slot.id} on runner ${runner.name}: a virtual machine needs the slot's usb identity (labfleet:hut.slots[].usb)`);
      }
      devices[`${slot.id}-usb`] = {
        type: "usb",
        vendorid: slot.usb.vendorid.toLowerCase(),
        productid: slot.usb.productid.toLowerCase(),
        ...(slot.usb.serial ? { serial: slot.usb.serial } : {}),
      };
    } else {
      devices[`${slot.id}-serial`] = { type: "unix-char", source: slot.serialById, path: slot.serialById, required: "false" };
    }
  }
  return devices;
}
