import QRCode from "qrcode";

/** The peer's side: a wg-quick config (the hub is its only peer) and a QR code of it. */
export interface ClientConfigInput {
  name: string;
  /** Undefined when the operator keeps their own private key. */
  privateKey?: string | undefined;
  publicKey: string;
  address: string;
  dns: string[];
  hubPublicKey: string;
  hubEndpoint: string;
  presharedKey?: string | undefined;
  allowedIps: string[];
  persistentKeepalive: number;
}

export function renderClientConfig(c: ClientConfigInput): string {
  const lines = [`# labfleet WireGuard peer ${c.name} (public key ${c.publicKey})`, "[Interface]"];
  lines.push(c.privateKey ? `PrivateKey = ${c.privateKey}` : "# PrivateKey = <the private key you hold for this public key>");
  lines.push(`Address = ${c.address}/32`);
  if (c.dns.length > 0) lines.push(`DNS = ${c.dns.join(", ")}`);
  lines.push("", "[Peer]", `PublicKey = ${c.hubPublicKey}`);
  if (c.presharedKey) lines.push(`PresharedKey = ${c.presharedKey}`);
  lines.push(`Endpoint = ${c.hubEndpoint}`, `AllowedIPs = ${c.allowedIps.join(", ")}`);
  if (c.persistentKeepalive > 0) lines.push(`PersistentKeepalive = ${c.persistentKeepalive}`);
  return `${lines.join("\n")}\n`;
}

/** SVG QR code of a client config, for `wg-quick` mobile apps. */
export async function qrCodeSvg(config: string): Promise<string> {
  return QRCode.toString(config, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}
