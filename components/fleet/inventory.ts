import { z } from "zod";
import { TransportSpec } from "../wireguard/transport.ts";
import { FleetHost, refineHosts } from "./hosts.ts";
import { FleetBody } from "./settings.ts";

/**
 * The `fleet` CLI's inventory (`--inventory <file>` or FLEET_INVENTORY, YAML or JSON): the
 * `labfleet:fleet` body plus the hosts, and optionally the hub to read handshake ages from.
 */
export const FleetHub = z.strictObject({
  interface: z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)").describe("the hub's WireGuard interface"),
  transport: TransportSpec.default({ kind: "local" }).describe("how to reach the hub's `wg` (as labfleet:wireguard.hub.transport)"),
});

export const FleetInventory = FleetBody.extend({
  hosts: z.array(FleetHost).min(1, "must list at least one host").describe("the agents: peer name and tunnel address"),
  hub: FleetHub.optional().describe("the WireGuard hub, for the handshake ages in `fleet status`"),
}).superRefine((inv, ctx) => {
  if (Array.isArray(inv.hosts)) refineHosts(inv.hosts, ctx, ["hosts"]);
});
export type FleetInventory = z.output<typeof FleetInventory>;
