import { z } from "zod";
import { DEFAULT_LOCK_WAIT_SECONDS } from "../../../components/hut/commands.ts";
import { InventoryBody, resolveInventory } from "../../../hardware/schema/inventory.ts";
import { registerSection } from "../section.ts";

/**
 * `labfleet:hut` — the HUT inventory (the hut CLI's own schema) plus the desired state that
 * drives HutSlot's command resources. The HA token is the top-level secret `labfleet:haToken`.
 */
export const HutExtras = z.strictObject({
  firmware: z
    .strictObject({
      path: z.string().startsWith("/", "must be an absolute path").describe("firmware image on the runner host"),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits").describe("sha256 of the image; checked before flashing"),
      commitSha: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit sha").optional().describe("upstream commit that built it"),
    })
    .optional()
    .describe("firmware every slot should run; a change of sha256/commitSha re-flashes"),
  powerCycleNonce: z.string().min(1).optional().describe("change to power-cycle every slot on the next up (needs homeAssistant)"),
  hutCommand: z.string().min(1).default("hut").describe("how the runner host invokes the hut CLI"),
  lockWaitSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(DEFAULT_LOCK_WAIT_SECONDS)
    .describe("how long flash/power-cycle wait for a busy slot lock before failing (exit 75, holder named)"),
});

export const HutBody = InventoryBody.extend(HutExtras.shape);

export const Hut = registerSection("hut", HutBody, (parsed, ctx) => {
  if (parsed.powerCycleNonce !== undefined && !parsed.homeAssistant) {
    ctx.addIssue({ code: "custom", path: ["powerCycleNonce"], message: "needs hut.homeAssistant (the relays are switched through it)" });
  }
  return { ...parsed, ...resolveInventory(parsed, ctx) };
});
