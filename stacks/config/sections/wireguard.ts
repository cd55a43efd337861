import { z } from "zod";
import { registerSection } from "../section.ts";

const iface = z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)");

export const HubTransport = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("local"),
    netns: z.string().regex(/^[a-zA-Z0-9_.-]+$/).optional().describe("run `wg` inside this network namespace"),
  }),
  z.strictObject({
    kind: z.literal("ssh"),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).default("root"),
    hostKey: z.string().min(1).describe("pinned host key: `ssh-ed25519 AAAA…` or its SHA256:… fingerprint"),
    sudo: z.boolean().default(false).describe("prefix wg with sudo -n"),
  }),
]);

export const WireGuardPeerConfig = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes"),
  kind: z.enum(["agent", "runner", "operator"]).default("agent"),
  address: z.ipv4().optional().describe("fixed tunnel address; allocated from the hub CIDR when absent"),
  dns: z.array(z.ipv4()).optional(),
  persistentKeepalive: z.number().int().min(0).max(65535).default(25),
  presharedKey: z.boolean().default(false).describe("generate a preshared key for this peer"),
  rotateAfterDays: z.number().int().positive().optional().describe("rotate the key when it is older than this"),
  rotation: z.string().optional().describe("change this value to rotate the key now"),
  allowedIps: z.array(z.cidrv4()).optional().describe("extra routed networks behind this peer (hub side)"),
});

export const WireGuardBody = z.strictObject({
  hub: z.strictObject({
    interface: iface.default("wg0"),
    listenPort: z.number().int().min(1).max(65535).default(51820),
    endpoint: z.string().regex(/^[^\s:]+:\d+$/, "must be host:port").describe("public endpoint the peers dial"),
    cidr: z.cidrv4().describe("tunnel network; the hub takes the first address"),
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/, "must be a base64 WireGuard key").optional().describe("hub public key (read from the hub when absent)"),
    transport: HubTransport.default({ kind: "local" }),
  }),
  peers: z.array(WireGuardPeerConfig).default([]),
});
export const WireGuard = registerSection("wireguard", WireGuardBody);
