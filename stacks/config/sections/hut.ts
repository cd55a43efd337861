import { z } from "zod";
import { InventoryBody, resolveInventory } from "../../../hardware/schema/inventory.ts";
import { registerSection } from "../section.ts";

/** `labfleet:hut` — the HUT inventory (the hut CLI's schema) plus the desired firmware. */
export const HutExtras = z.strictObject({
  firmware: z
    .strictObject({
      path: z.string().min(1).describe("firmware image on the runner host"),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"),
      commitSha: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit sha").optional().describe("upstream commit that built it"),
    })
    .optional()
    .describe("firmware every slot should run; a change re-flashes"),
  powerCycleNonce: z.string().optional().describe("change to power-cycle every slot on the next up"),
  hutCommand: z.string().default("hut").describe("hut CLI on the runner host"),
});

export const HutBody = InventoryBody.extend(HutExtras.shape);

export const Hut = registerSection("hut", HutBody, (parsed, ctx) => ({
  ...parsed,
  ...resolveInventory(parsed, ctx),
}));
