import { z } from "zod";
import { Ci } from "./sections/ci.ts";
import { Console } from "./sections/console.ts";
import { Gitlab } from "./sections/gitlab.ts";
import { Governance } from "./sections/governance.ts";
import { Hut } from "./sections/hut.ts";
import { Lxd } from "./sections/lxd.ts";
import { WireGuard } from "./sections/wireguard.ts";

export const ENVIRONMENTS = ["local", "staging", "production"] as const;
export const Environment = z.enum(ENVIRONMENTS);
export type Environment = z.infer<typeof Environment>;

/** Every non-secret `labfleet:*` key. Defaults live here, not in components. */
export const StackConfigSchema = z
  .strictObject({
    environment: Environment.describe("environment class; defaults to the stack name when it is one of these"),
    tags: z.record(z.string(), z.string()).default({}).describe("extra tags/labels on every taggable resource"),
    console: Console,
    ci: Ci,
    wireguard: WireGuard,
    lxd: Lxd,
    gitlab: Gitlab,
    hut: Hut,
    governance: Governance,
  })
  .superRefine((cfg, ctx) => {
    if (!cfg.hut.enabled) return;
    const runners = new Map(cfg.lxd.enabled ? cfg.lxd.runners.map((r) => [r.name, r] as const) : []);
    cfg.hut.slots.forEach((slot, i) => {
      const runner = runners.get(slot.runner);
      if (slot.runner !== "local" && !runner) {
        ctx.addIssue({
          code: "custom",
          path: ["hut", "slots", i, "runner"],
          message: `runner ${JSON.stringify(slot.runner)} is not declared in lxd.runners (or use "local")`,
        });
      }
      // A VM sees the slot's adapter only through USB passthrough (unix-char works for containers only).
      if (runner?.type === "virtual-machine" && !slot.usb) {
        ctx.addIssue({
          code: "custom",
          path: ["hut", "slots", i, "usb"],
          message: `required: runner ${JSON.stringify(slot.runner)} is a virtual machine, which needs the adapter's vendorid/productid for USB passthrough`,
        });
      }
    });
  });

export type StackConfigData = z.output<typeof StackConfigSchema>;
