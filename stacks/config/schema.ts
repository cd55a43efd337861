import { z } from "zod";
import { Artifacts } from "./sections/artifacts.ts";
import { Ci } from "./sections/ci.ts";
import { Fleet } from "./sections/fleet.ts";
import { Console, type ConsoleConfig } from "./sections/console.ts";
import { Github } from "./sections/github.ts";
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
    simulated: z
      // the engine hands scalar config over as text: "true"/"false"
      .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean().default(false))
      .describe("the lab's hardware is simulated (set by `npm run lab`: fake serial adapters, Home Assistant and esptool); exported as the `simulated` stack output"),
    console: Console,
    ci: Ci,
    wireguard: WireGuard,
    lxd: Lxd,
    gitlab: Gitlab,
    github: Github,
    hut: Hut,
    artifacts: Artifacts,
    fleet: Fleet,
    governance: Governance,
  })
  .superRefine((cfg, ctx) => {
    refineProductionConsole(cfg, ctx);
    if (cfg.fleet.enabled && !cfg.wireguard.enabled) {
      ctx.addIssue({ code: "custom", path: ["fleet"], message: "needs the labfleet:wireguard section (the agents are its peers)" });
    }
    refineGithub(cfg, ctx);
    refineArtifacts(cfg, ctx);
    if (cfg.lxd.enabled && !cfg.wireguard.enabled) {
      cfg.lxd.runners.forEach((r, i) => {
        if (r.wireguard === true) {
          ctx.addIssue({ code: "custom", path: ["lxd", "runners", i, "wireguard"], message: "needs the labfleet:wireguard section" });
        }
      });
    }
    if (!cfg.hut.enabled) return;
    if (cfg.hut.lane && !cfg.gitlab.enabled) {
      ctx.addIssue({ code: "custom", path: ["hut", "lane"], message: "needs the labfleet:gitlab section (its CI template goes into the runner role repository)" });
    }
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

/**
 * The artifact store: on AWS it trusts CiIdentity's GitHub OIDC provider; when the stack declares
 * it, it is the HUT slots' store (hut.artifacts is then the stack's to set); firmware named by
 * commit needs a store.
 */
function refineArtifacts(
  cfg: { ci: z.output<typeof Ci>; hut: z.output<typeof Hut>; artifacts: z.output<typeof Artifacts> },
  ctx: z.RefinementCtx,
): void {
  const { ci, hut, artifacts } = cfg;
  if (artifacts.enabled && artifacts.provider === "aws" && !(ci.enabled && ci.aws.enabled)) {
    ctx.addIssue({ code: "custom", path: ["artifacts", "provider"], message: "aws needs labfleet:ci with ci.aws enabled (the upload role trusts its GitHub OIDC provider)" });
  }
  if (!hut.enabled) return;
  if (artifacts.enabled && hut.artifacts) {
    ctx.addIssue({ code: "custom", path: ["hut", "artifacts"], message: "set by the stack from labfleet:artifacts (its bucket); remove it" });
  }
  const store = artifacts.enabled || hut.artifacts !== undefined;
  for (const [chip, image] of Object.entries(hut.firmware ?? {})) {
    if ("sha" in image && !store) {
      ctx.addIssue({ code: "custom", path: ["hut", "firmware", chip, "sha"], message: "needs an artifact store: labfleet:artifacts, or hut.artifacts.store (file:///… on the local stack)" });
    }
  }
}

/** The GitHub section governs the repository CiIdentity trusts, and hosts its deploy environments. */
function refineGithub(cfg: { ci: z.output<typeof Ci>; github: z.output<typeof Github> }, ctx: z.RefinementCtx): void {
  const { ci, github } = cfg;
  if (!github.enabled || !ci.enabled) return;
  for (const key of ["owner", "repo"] as const) {
    if (github[key] !== ci.github[key]) {
      ctx.addIssue({ code: "custom", path: ["github", key], message: `must equal ci.github.${key} (${JSON.stringify(ci.github[key])}): the repository whose workflows CiIdentity trusts` });
    }
  }
  for (const env of ci.environments) {
    if (!(env in github.environments)) {
      ctx.addIssue({ code: "custom", path: ["github", "environments"], message: `needs an entry for ${JSON.stringify(env)} (ci.environments): its deploy variables live there` });
    }
  }
}

/**
 * Production is hardened by config only: the components never branch on the environment name,
 * so a production stack must carry the hardened values. Each violation names its key.
 */
function refineProductionConsole(
  cfg: { environment: Environment; console: ConsoleConfig; ci: { enabled: false } | { enabled: true; previewSecrets: boolean }; governance: { minBackupDays: number } },
  ctx: z.RefinementCtx,
): void {
  if (cfg.environment !== "production") return;
  const min = cfg.governance.minBackupDays;
  const need = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path: ["console", ...path], message });
  const aws = cfg.console.aws;
  if (aws.enabled) {
    if (aws.db.backupRetentionDays < min) need(["aws", "db", "backupRetentionDays"], `must be at least ${min} (governance.minBackupDays) in production`);
    if (!aws.db.multiAz) need(["aws", "db", "multiAz"], "must be true in production");
    if (!aws.deletionProtection) need(["aws", "deletionProtection"], "must be true in production");
    if (!aws.accessLogs) need(["aws", "accessLogs"], "must be true in production");
    if (aws.natGateways !== "perAz") need(["aws", "natGateways"], 'must be "perAz" in production');
    if (!aws.access.enabled) need(["aws", "access", "enabled"], "must be true in production (authentication before the app)");
    if (!aws.access.waf) need(["aws", "access", "waf"], "must be true in production");
  }
  const gcp = cfg.console.gcp;
  if (cfg.ci.enabled && cfg.ci.previewSecrets) {
    ctx.addIssue({ code: "custom", path: ["ci", "previewSecrets"], message: "must be false in production (pull-request previews never decrypt production secrets)" });
  }
  if (gcp.enabled) {
    if (gcp.db.backupRetentionDays < min) need(["gcp", "db", "backupRetentionDays"], `must be at least ${min} (governance.minBackupDays) in production`);
    if (gcp.db.availabilityType !== "REGIONAL") need(["gcp", "db", "availabilityType"], 'must be "REGIONAL" in production');
    if (!gcp.deletionProtection) need(["gcp", "deletionProtection"], "must be true in production");
    if (!gcp.access.enabled) need(["gcp", "access", "enabled"], "must be true in production (authentication before the app)");
    if (!gcp.access.armor) need(["gcp", "access", "armor"], "must be true in production");
  }
}
