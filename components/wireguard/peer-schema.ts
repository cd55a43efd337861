import { z } from "zod";
import { peerAddressProblem } from "./addresses.ts";
import { WG_KEY_RE } from "./keys.ts";
import { LxdRemote } from "../lxd/remote.ts";
import { TransportSpec } from "./transport.ts";

/**
 * A WireGuard peer's shape, declared once: `PeerSettings` is what a peer asks for (a config
 * entry, or another component joining through `WireGuardHub.addPeer`); `PeerInputs` is what its
 * dynamic provider receives (the settings plus what the hub adds); the resource Args are derived
 * from `PeerInputs`, and the provider's diff classes every input key from `PEER_KEYS`.
 */
// The pattern admits exactly the 44-char encodings of 32 bytes (the last data character carries no spare bits).
export const wgKey = z.string().regex(WG_KEY_RE, "must be a base64 WireGuard key (44 chars)");
export const interfaceName = z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)");
export const hostPort = z.string().regex(/^[^\s:]+:\d+$/, "must be host:port");
export const peerName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes");
/** Where the hub keeps its peers for restarts (components/wireguard/persist.ts). */
export const persistFile = z.string().regex(/^\/[A-Za-z0-9_./@+-]+$/, "must be an absolute path (letters, digits, _ . / @ + -)");
export const PEER_KINDS = ["agent", "runner", "operator"] as const;

export const PeerSettings = z.strictObject({
  kind: z.enum(PEER_KINDS).default("agent").describe("what joins: a lab agent (Pi), a runner host (`runner`) or an operator"),
  tags: z.array(peerName).default([]).describe("labels of the peer, e.g. for the agent fleet's `labfleet:fleet.tags` filter"),
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
/** What `WireGuardHub.addPeer` takes (defaults not yet applied). */
export type PeerSpec = z.input<typeof PeerSettings>;

/**
 * How a rotated key reaches the peer (docs/design/wireguard.md, "Key rotation"): `ssh` logs in at
 * the peer's tunnel address (an agent, with the fleet's SSH access), `lxd` pushes the file into a
 * runner host's instance through the LXD file API. Either way the new config is written next to
 * the old one and the peer switches its own key a moment later (rotation-script.ts). A peer
 * without one (an operator) gets its new config as outputs and keeps its old key for a grace period.
 */
const peerFiles = {
  interface: interfaceName.describe("the WireGuard interface on the peer"),
  configDir: z
    .string()
    .regex(/^\/[A-Za-z0-9_./@+-]*$/, "must be an absolute path")
    .default("/etc/wireguard")
    .describe("folder of the peer's `<interface>.conf` (wg-quick format)"),
};
export const DeliverySpec = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("ssh"),
    host: z.ipv4().describe("the peer's tunnel address"),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a Linux user name").default("root"),
    connectTimeoutSeconds: z.number().int().positive().max(300).default(10),
    ...peerFiles,
  }),
  z.strictObject({
    kind: z.literal("lxd"),
    remote: LxdRemote,
    instance: z.string().min(1).describe("the runner host's instance"),
    ...peerFiles,
  }),
]);
export type DeliverySpec = z.output<typeof DeliverySpec>;

/** One entry of `labfleet:wireguard.peers`. */
export const PeerConfig = PeerSettings.extend({ name: peerName.describe("peer name, unique per hub") });

/** Inputs of one WireGuardPeer, as its dynamic provider receives them. */
export const PeerInputs = PeerSettings.omit({ kind: true, tags: true })
  .extend({
    name: peerName,
    interface: interfaceName,
    transport: TransportSpec,
    sshPrivateKey: z.string().optional(),
    hubPublicKey: wgKey,
    hubEndpoint: hostPort,
    cidr: z.cidrv4(),
    address: z.ipv4(),
    allowedIps: z.array(z.cidrv4()).default([]),
    dns: z.array(z.ipv4()).default([]),
    endpoint: z.string().regex(/^[^\s]+:\d+$/, "must be host:port").optional(),
    persistFile: persistFile.optional(),
    /** How a rotated key reaches the peer; absent = an operator's grace rotation. */
    delivery: DeliverySpec.optional(),
    /** The delivery's secret: the SSH private key (ssh) or the LXD client key (https remote). */
    deliveryPrivateKey: z.string().optional(),
    /** The second address a peer without delivery alternates to on rotation (its old key keeps the first during the grace). */
    alternateAddress: z.ipv4().optional(),
    rotationGraceDays: z.number().min(0).default(7),
    handshakeTimeoutSeconds: z.number().int().positive().max(600).default(20),
    /** When the current key was made (ISO), kept by check: the base of `rotateAfterDays`. */
    keyCreatedAt: z.string().optional(),
    /** Why and when the key was last rotated by time (set by check; a new value is what preview shows). */
    keyRotation: z.string().optional(),
    /** Pinned addresses of the other peers of this hub (name → address), for collision checks. */
    reserved: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((p, ctx) => {
    const problem = peerAddressProblem(p.cidr, p.address);
    if (problem) ctx.addIssue({ code: "custom", path: ["address"], message: problem });
    for (const [other, addr] of Object.entries(p.reserved)) {
      if (other !== p.name && addr === p.address) {
        ctx.addIssue({ code: "custom", path: ["address"], message: `${p.address} is already used by peer ${JSON.stringify(other)}` });
      }
    }
    if (p.alternateAddress !== undefined) {
      const alt = peerAddressProblem(p.cidr, p.alternateAddress);
      if (alt) ctx.addIssue({ code: "custom", path: ["alternateAddress"], message: alt });
      if (p.alternateAddress === p.address) ctx.addIssue({ code: "custom", path: ["alternateAddress"], message: "must differ from address" });
    }
    if (p.publicKey && (p.rotation !== undefined || p.rotateAfterDays !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["rotation"], message: "rotation needs a generated key; this peer brings its own publicKey" });
    }
  });
export type PeerInputs = z.output<typeof PeerInputs>;
type PeerInputKey = keyof typeof PeerInputs.shape;

/**
 * How the provider's diff treats each input: a provided key or another hub replaces the peer (the id
 * is `<interface>/<public key>`; the transport replaces only when its target changes), `reserved`
 * only feeds the check, everything else is applied in place with `wg set` — a rotation too
 * (`rotation`, `keyRotation`): the two-phase update of rotation.ts.
 */
export const PEER_KEYS = {
  replace: ["interface", "transport", "publicKey"],
  checkOnly: ["reserved", "keyCreatedAt"],
} as const satisfies Record<string, readonly PeerInputKey[]>;
const special = new Set<string>([...PEER_KEYS.replace, ...PEER_KEYS.checkOnly]);
export const PEER_IN_PLACE_KEYS = (Object.keys(PeerInputs.shape) as PeerInputKey[]).filter((k) => !special.has(k));

/** What the provider stores: the inputs plus the keys, client config and what the hub shows. */
export type PeerOutputs = PeerInputs & {
  publicKey: string;
  keySource: "generated" | "provided";
  privateKey: string;
  presharedKeyValue: string;
  clientConfig: string;
  qrCodeSvg: string;
  createdAt: string;
  /** The tunnel address the current key holds: `address`, or `alternateAddress` after an odd number of grace rotations. */
  activeAddress: string;
  /** During a grace rotation: the old key, still on the hub at `previousAddress`, until `graceUntil` (ISO). */
  previousPublicKey: string;
  previousAddress: string;
  graceUntil: string;
  /** Unix seconds of the hub's latest handshake with the current key (0 = none), as last observed. */
  latestHandshake: number;
  /** Allowed IPs the hub holds for this peer (observed on read). */
  hubAllowedIps: string[];
  present: boolean;
  drift: string[];
};

/** Output keys that are secrets (additionalSecretOutputs). */
export const PEER_SECRET_OUTPUTS = ["privateKey", "presharedKeyValue", "clientConfig", "qrCodeSvg", "sshPrivateKey", "deliveryPrivateKey"] as const;
