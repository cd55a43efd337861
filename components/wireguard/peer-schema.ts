import { z } from "zod";
import { peerAddressProblem } from "./addresses.ts";
import { WG_KEY_RE, isWgKey } from "./keys.ts";
import { TransportSpec } from "./transport.ts";

/** Inputs of one WireGuardPeer, as its dynamic provider receives them. */
export const wgKey = z.string().regex(WG_KEY_RE, "must be a base64 WireGuard key (44 chars)").refine(isWgKey, "must decode to 32 bytes");

export const PeerInputs = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes"),
    interface: z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)"),
    transport: TransportSpec,
    sshPrivateKey: z.string().optional(),
    hubPublicKey: wgKey,
    hubEndpoint: z.string().regex(/^[^\s:]+:\d+$/, "must be host:port"),
    cidr: z.cidrv4(),
    address: z.ipv4(),
    allowedIps: z.array(z.cidrv4()).default([]),
    clientAllowedIps: z.array(z.cidrv4()).optional(),
    dns: z.array(z.ipv4()).default([]),
    endpoint: z.string().regex(/^[^\s]+:\d+$/, "must be host:port").optional(),
    persistentKeepalive: z.number().int().min(0).max(65535).default(25),
    presharedKey: z.boolean().default(false),
    publicKey: wgKey.optional(),
    rotation: z.string().optional(),
    rotateAfterDays: z.number().int().positive().optional(),
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
    if (p.publicKey && (p.rotation !== undefined || p.rotateAfterDays !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["rotation"], message: "rotation needs a generated key; this peer brings its own publicKey" });
    }
  });
export type PeerInputs = z.output<typeof PeerInputs>;

/** What the provider stores: the inputs plus the keys, client config and what the hub shows. */
export type PeerOutputs = PeerInputs & {
  publicKey: string;
  keySource: "generated" | "provided";
  privateKey: string;
  presharedKeyValue: string;
  clientConfig: string;
  qrCodeSvg: string;
  createdAt: string;
  /** Allowed IPs the hub holds for this peer (observed on read). */
  hubAllowedIps: string[];
  present: boolean;
  drift: string[];
};

/** Output keys that are secrets (additionalSecretOutputs). */
export const PEER_SECRET_OUTPUTS = ["privateKey", "presharedKeyValue", "clientConfig", "qrCodeSvg", "sshPrivateKey"] as const;
