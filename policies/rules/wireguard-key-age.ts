import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { dynamicKind } from "../lib/resource.ts";
import { onAll } from "../lib/rule.ts";

/**
 * WireGuard peer keys are rotated: every peer with a generated key declares `rotateAfterDays` ≤
 * `maxAgeDays`, and a key whose recorded creation time (`createdAt` in the peer's state, seen by
 * the live pack after the first `up`) is older than that is reported. Advisory: key age is hygiene, not a gate.
 * Unknowns: an unknown rotation setting is reported like a missing one.
 */
const config = ruleConfig(
  "wireguard-key-age",
  z.object({
    maxAgeDays: z.number().int().positive().default(90).describe("maximum key age in days"),
    peerKinds: z.array(z.string()).default(["wireguard:WireGuardPeer"]).describe("dynamic-resource kinds (`<module>:<Type>` or `kind` input) that are WireGuard peers"),
  }),
);

const STAMPS = ["keyCreatedAt", "keyRotatedAt", "rotatedAt", "createdAt"];
const DAY = 86_400_000;

export const wireguardKeyAge: ResourceValidationPolicy = {
  name: "wireguard-key-age",
  description: "WireGuard peer keys are rotated within the maximum key age.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: config.configSchema,
  remediationSteps: "Set rotateAfterDays on every peer, or bump its `rotation` value to rotate now.",
  validateResource: onAll((props, args, report) => {
    const kind = dynamicKind(args.type, props);
    const cfg = config.read(args);
    if (!kind || !cfg.peerKinds.includes(kind)) return;
    if (typeof props.publicKey === "string") return; // the peer brings its own key: nothing to rotate here
    const name = describe(args);
    const every = props.rotateAfterDays;
    if (isUnknown(every) || typeof every !== "number") {
      report(hint(`${name} has no key rotation policy`, `set labfleet:wireguard.peers[].rotateAfterDays to ${cfg.maxAgeDays} or less`));
    } else if (every > cfg.maxAgeDays) {
      report(hint(`${name} rotates its key every ${every} days, more than ${cfg.maxAgeDays}`, `set rotateAfterDays to ${cfg.maxAgeDays} or less`));
    }
    for (const k of STAMPS) {
      const v = props[k];
      if (typeof v !== "string") continue;
      const t = Date.parse(v);
      if (Number.isNaN(t)) continue;
      const age = Math.floor((Date.now() - t) / DAY);
      if (age > cfg.maxAgeDays) report(hint(`${name} key is ${age} days old (${k} ${v}), over ${cfg.maxAgeDays}`, "rotate it: change the peer's `rotation` value and run pulumi up"));
      break;
    }
  }),
};
