import { z } from "zod";
import { CommitSha } from "../../hardware/schema/artifacts.ts";
import { ChipName, InventoryBody, resolveInventory } from "../../hardware/schema/inventory.ts";
import { LaneSettings } from "../../hardware/schema/lane.ts";
import { DEFAULT_LOCK_WAIT_SECONDS } from "./commands.ts";

/** An image already on the runner host. */
const FirmwareFile = z.strictObject({
  path: z.string().startsWith("/", "must be an absolute path").describe("firmware image on the runner host"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits").describe("sha256 of the image; checked before flashing"),
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit sha").optional().describe("upstream commit that built it"),
});

/** The upstream lane's build of a commit, fetched from the artifact store and verified against its manifest. */
const FirmwareByCommit = z.strictObject({
  sha: CommitSha.describe("commit whose build the runner fetches from the artifact store (hut flash --sha)"),
});

/**
 * `labfleet:hut` — the HUT inventory (the hut CLI's own schema) plus the desired state that
 * drives HutSlot's command resources. The HA token is the top-level secret `labfleet:haToken`.
 */
export const HutExtras = z.strictObject({
  firmware: z
    .record(
      ChipName,
      z.union([FirmwareFile, FirmwareByCommit], {
        error: () => "must be { sha: <commit> } (the upstream build from the artifact store) or { path, sha256 } (an image on the runner host)",
      }),
      // also what an old single-image `firmware: {path, sha256}` gets: its keys are not chips
      { error: (iss) => (iss.code === "invalid_key" ? "must be a chip name like esp32, esp32s3 (firmware has one image per chip)" : undefined) },
    )
    .optional()
    .describe("firmware per chip (esp32, esp32s3, …): each slot runs its chip's image; a change of sha / sha256 / commitSha re-flashes"),
  powerCycleNonce: z.string().min(1).optional().describe("change to power-cycle every slot on the next up (needs homeAssistant)"),
  hutCommand: z.string().min(1).default("hut").describe("how the runner host invokes the hut CLI"),
  lockWaitSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(DEFAULT_LOCK_WAIT_SECONDS)
    .describe("how long flash/power-cycle wait for a busy slot lock before failing (exit 75, holder named)"),
  lane: LaneSettings.optional().describe(
    "the hardware lane: renders the runner repository's CI template (a lane job and a scheduled health job per slot label); needs gitlab",
  ),
});

export const HutBody = InventoryBody.extend(HutExtras.shape);

/** The cross-key rules of `labfleet:hut` and its resolved inventory (defaults applied per slot). */
export function resolveHut(parsed: z.output<typeof HutBody>, ctx: z.RefinementCtx) {
  if (parsed.powerCycleNonce !== undefined && !parsed.homeAssistant) {
    ctx.addIssue({ code: "custom", path: ["powerCycleNonce"], message: "needs hut.homeAssistant (the relays are switched through it)" });
  }
  const inventory = resolveInventory(parsed, ctx);
  if (parsed.firmware) {
    for (const [i, slot] of inventory.slots.entries()) {
      if (!parsed.firmware[slot.chip]) {
        ctx.addIssue({ code: "custom", path: ["firmware"], message: `has no image for chip ${slot.chip} (slot ${slot.id}, slots[${i}])` });
      }
    }
  }
  return { ...parsed, ...inventory, ...(parsed.lane ? { lane: resolveLane(parsed, inventory.slots, ctx) } : {}) };
}

/**
 * The lane's known-good build per chip: `lane.knownGood`, else the chip's `firmware.<chip>.commitSha`
 * (or its `sha`) when it is a full SHA. Every slot's chip needs one (the health job flashes it).
 */
function resolveLane(parsed: z.output<typeof HutBody>, slots: readonly { id: string; chip: string }[], ctx: z.RefinementCtx): LaneSettings {
  const lane = parsed.lane as LaneSettings;
  const knownGood = { ...lane.knownGood };
  for (const [i, slot] of slots.entries()) {
    if (knownGood[slot.chip]) continue;
    const fw = parsed.firmware?.[slot.chip];
    const fromFirmware = CommitSha.safeParse(fw && "sha" in fw ? fw.sha : fw?.commitSha);
    if (fromFirmware.success) knownGood[slot.chip] = fromFirmware.data;
    else {
      ctx.addIssue({
        code: "custom",
        path: ["lane", "knownGood"],
        message: `has no build for chip ${slot.chip} (slot ${slot.id}, slots[${i}]); set knownGood.${slot.chip} or a full firmware.${slot.chip}.commitSha`,
      });
    }
  }
  return { ...lane, knownGood };
}
