import { z } from "zod";

/**
 * Settings of the agent fleet (`labfleet:fleet`, registered by stacks/config/sections/fleet.ts):
 * the agent package, how it installs and restarts, the health gate, the batch plan and the SSH
 * access to the agents over the WireGuard mesh. The SSH key is the top-level secret
 * `labfleet:fleetSshKey`. The same body, plus `hosts` (and optionally the hub), is the `fleet`
 * CLI's inventory (`FleetInventory`, components/fleet/inventory.ts). docs/design/fleet.md.
 */

export const SHA256_RE = /^[0-9a-f]{64}$/;
export const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}$/;
/** A batch size: a count (`5`) or a share of the hosts (`25%`). */
export const BATCH_RE = /^([1-9]\d*)(%?)$/;

const absolutePath = z.string().startsWith("/", "must be an absolute path");

export const PackageSource = z
  .string()
  .min(1)
  .refine((s) => s.startsWith("/") || /^https?:\/\/[^\s]+$/.test(s), "must be an absolute path or an http(s):// URL");

export const FleetPackage = z.strictObject({
  source: PackageSource.describe("the agent package: a file on the host running Pulumi/fleet, or an http(s) URL it downloads"),
  sha256: z.string().regex(SHA256_RE, "must be 64 lower-case hex digits").describe("sha256 of the package; checked before any host is touched and again on each host"),
  version: z.string().regex(VERSION_RE, "must be a version like 1.4.2 (letters, digits, . _ + ~ -)").describe("version the agents report once the package is installed and healthy"),
});
export type FleetPackage = z.output<typeof FleetPackage>;

export const FleetInstall = z.strictObject({
  command: z
    .string()
    .min(1)
    .describe("shell command run on the agent to install the package: $FLEET_PACKAGE is the uploaded file, $FLEET_VERSION its version, $FLEET_STATE_DIR the state directory"),
  service: z.string().regex(/^[A-Za-z0-9@._:-]+$/, "must be a service name").describe("the agent's service, as $FLEET_SERVICE"),
  restartCommand: z.string().min(1).default('systemctl restart "$FLEET_SERVICE"').describe("shell command that restarts the service after the install"),
});

export const FleetHealth = z
  .strictObject({
    command: z.string().min(1).optional().describe("shell command run on the agent; exit 0 = healthy (same variables as the install)"),
    url: z
      .url({ protocol: /^http$/, error: "must be an http:// URL (an endpoint of the agent itself)" })
      .optional()
      .describe("URL requested from the agent itself (through the SSH connection); a 2xx answer = healthy"),
    timeoutSeconds: z.number().int().positive().max(3600).default(30).describe("how long the agent may take to become healthy; retried every second until then"),
  })
  .superRefine((h, ctx) => {
    if ((h.command === undefined) === (h.url === undefined)) ctx.addIssue({ code: "custom", path: ["command"], message: "set exactly one of command or url" });
  });
export type FleetHealth = z.output<typeof FleetHealth>;

export const FleetSsh = z.strictObject({
  user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name").default("root").describe("user the fleet logs in as on every agent"),
  port: z.number().int().min(1).max(65535).default(22).describe("sshd port on the agents' tunnel addresses"),
  connectTimeoutSeconds: z.number().int().positive().max(300).default(10).describe("bound of one SSH connect; `fleet status` is bounded by it whatever the number of down hosts"),
});

export const BatchSize = z
  .union([z.number().int().positive(), z.string().regex(BATCH_RE, "must be a count like 5 or a share like 25%")])
  .refine((b) => typeof b === "number" || !b.endsWith("%") || Number(b.slice(0, -1)) <= 100, "a share must be at most 100%");

export const FleetBody = z.strictObject({
  package: FleetPackage.describe("what every selected agent should run"),
  install: FleetInstall.describe("how the package is installed and the service restarted"),
  health: FleetHealth.describe("the health gate of every host after its install"),
  batch: BatchSize.default("25%").describe("hosts per batch: a count or a share of the hosts (rounded up); a batch starts only after the previous passed its health gate"),
  maxFailures: z.number().int().min(0).default(0).describe("failed hosts tolerated; one more stops the rollout, naming the failed hosts"),
  pauseSeconds: z.number().int().min(0).max(3600).default(0).describe("pause between batches"),
  rollback: z.boolean().default(true).describe("reinstall the previous version on the failed batch's hosts when the rollout stops"),
  tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes")).default([]).describe("only `agent` peers carrying every one of these tags; empty = every agent peer"),
  ssh: FleetSsh.default({ user: "root", port: 22, connectTimeoutSeconds: 10 }).describe("SSH access to the agents through the mesh (key: the secret labfleet:fleetSshKey)"),
  stateDir: absolutePath.default("/var/lib/labfleet-agent").describe("directory on the agent holding the installed version and the packages kept for rollback"),
  logDir: absolutePath.default("/var/log/labfleet-agent").describe("directory on the agent whose files `fleet collect-logs` pulls (the audit logs)"),
});
export type FleetSettings = z.output<typeof FleetBody>;
