import { z } from "zod";
import { AddressBook, AllocationError } from "./addresses.ts";
import { PeerConfig, hostPort, interfaceName, persistFile, wgKey } from "./peer-schema.ts";
import { TransportSpec } from "./transport.ts";

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
