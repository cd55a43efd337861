import { z } from "zod";
import { AddressBook, AllocationError } from "./addresses.ts";
import { PeerConfig, hostPort, interfaceName, persistFile, wgKey } from "./peer-schema.ts";
import { TransportSpec } from "./transport.ts";

export const RotationSettings = z.strictObject({
  graceDays: z.number().min(0).default(7).describe("days an operator's old key keeps working after its rotation (the new config and QR are stack outputs); an up after that, or after the new key's first handshake, removes it"),
  handshakeTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(600)
    .default(20)
    .describe("how long the hub waits for a delivered key's first handshake before it moves the address back to the old key and fails"),
  agentInterface: interfaceName.default("wg0").describe("the WireGuard interface on the agents (its config: <agentConfigDir>/<agentInterface>.conf)"),
  agentConfigDir: z.string().regex(/^\/[A-Za-z0-9_./@+-]*$/, "must be an absolute path").default("/etc/wireguard").describe("folder of the agents' wg-quick config"),
});
export type RotationSettings = z.output<typeof RotationSettings>;

/** `labfleet:wireguard` — the hub and the peers declared in config (docs/design/wireguard.md). */
export const WireGuardBody = z
  .strictObject({
    hub: z
      .strictObject({
        interface: interfaceName.default("wg0").describe("hub WireGuard interface"),
        listenPort: z.number().int().min(1).max(65535).default(51820).describe("UDP port the hub listens on (checked against the live hub)"),
        endpoint: hostPort.describe("public endpoint the peers dial"),
        cidr: z.cidrv4().describe("tunnel network; the hub takes the first address"),
        publicKey: wgKey.optional().describe("hub public key (read from the live hub with `wg show <if> public-key` when absent)"),
        transport: TransportSpec.default({ kind: "local" }).describe("how the provider reaches the hub's `wg`"),
        persistFile: persistFile
          .optional()
          .describe("file on the hub the provider keeps the hub's [Peer] sections in after every change; the hub's wg-quick `PostUp = wg addconf %i <file>` restores them after a restart (docs/runbooks/wireguard.md)"),
      })
      .describe("the WireGuard hub every peer dials"),
    peers: z.array(PeerConfig).default([]).describe("peers declared in config (runner hosts add their own)"),
    rotation: RotationSettings.default({ graceDays: 7, handshakeTimeoutSeconds: 20, agentInterface: "wg0", agentConfigDir: "/etc/wireguard" }).describe(
      "how keys rotate (`rotateAfterDays`, `rotation`): agents and runner hosts get the new key delivered and switch without losing a packet; operators keep the old key for a grace period (docs/runbooks/wireguard.md)",
    ),
  })
  .superRefine((wg, ctx) => {
    // zod v4 runs this even when fields above failed: only look at what is well-formed.
    if (!Array.isArray(wg.peers)) return;
    const seen = new Map<string, number>();
    wg.peers.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({ code: "custom", path: ["peers", i, "name"], message: `peer ${JSON.stringify(p.name)} is also declared at peers[${seen.get(p.name)}]` });
      } else seen.set(p.name, i);
    });
    // Explicit addresses (range, hub address, duplicates); allocation itself cannot fail short of a full CIDR.
    let book: AddressBook;
    try {
      book = new AddressBook(wg.hub?.cidr);
    } catch {
      return; // the cidr key reports its own problem
    }
    wg.peers.forEach((p, i) => {
      if (typeof p?.address !== "string" || seen.get(p.name) !== i) return;
      try {
        book.claim(p.name, p.address);
      } catch (err) {
        if (!(err instanceof AllocationError)) throw err;
        ctx.addIssue({ code: "custom", path: ["peers", i, "address"], message: err.message });
      }
    });
  });
