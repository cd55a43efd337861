import { z } from "zod";
import { AddressBook, AllocationError } from "../../../components/wireguard/addresses.ts";
import { WG_KEY_RE } from "../../../components/wireguard/keys.ts";
import { TransportSpec } from "../../../components/wireguard/transport.ts";
import { registerSection } from "../section.ts";

const iface = z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)");
const wgKey = z.string().regex(WG_KEY_RE, "must be a base64 WireGuard key (44 chars)");

export const HubTransport = TransportSpec;

export const WireGuardPeerConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes").describe("peer name, unique per hub"),
  kind: z.enum(["agent", "runner", "operator"]).default("agent").describe("what joins: a lab agent (Pi), a runner VM or an operator"),
  address: z.ipv4().optional().describe("fixed tunnel address; allocated from the hub CIDR (hash of the name, linear probing) when absent"),
  dns: z.array(z.ipv4()).optional().describe("DNS servers written into the client config"),
  persistentKeepalive: z.number().int().min(0).max(65535).default(25).describe("keepalive seconds on both sides (0 = off)"),
  presharedKey: z.boolean().default(false).describe("generate a preshared key for this peer"),
  publicKey: wgKey.optional().describe("bring your own key: the peer keeps its private key, the stack only registers this public key"),
  rotateAfterDays: z.number().int().positive().optional().describe("rotate the key when it is older than this"),
  rotation: z.string().optional().describe("change this value to rotate the key now"),
  allowedIps: z.array(z.cidrv4()).optional().describe("extra routed networks behind this peer (hub side)"),
  clientAllowedIps: z.array(z.cidrv4()).optional().describe("networks the client routes into the tunnel (default: the hub CIDR)"),
});

export const WireGuardBody = z
  .strictObject({
    hub: z
      .strictObject({
        interface: iface.default("wg0").describe("hub WireGuard interface"),
        listenPort: z.number().int().min(1).max(65535).default(51820).describe("UDP port the hub listens on (checked against the live hub)"),
        endpoint: z.string().regex(/^[^\s:]+:\d+$/, "must be host:port").describe("public endpoint the peers dial"),
        cidr: z.cidrv4().describe("tunnel network; the hub takes the first address"),
        publicKey: wgKey.optional().describe("hub public key (read from the live hub with `wg show <if> public-key` when absent)"),
        transport: TransportSpec.default({ kind: "local" }).describe("how the provider reaches the hub's `wg`"),
      })
      .describe("the WireGuard hub every peer dials"),
    peers: z.array(WireGuardPeerConfig).default([]).describe("peers declared in config (runner VMs add their own)"),
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
export const WireGuard = registerSection("wireguard", WireGuardBody);
export type WireGuardConfig = z.output<typeof WireGuardBody>;
