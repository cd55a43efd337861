import { isWgKey } from "./keys.ts";

/**
 * Parser for `wg show <if> dump` (wg(8)): tab-separated; line 1 is the interface
 * (private-key, public-key, listen-port, fwmark), then one line per peer (public-key,
 * preshared-key, endpoint, allowed-ips, latest-handshake, transfer-rx, transfer-tx,
 * persistent-keepalive). `(none)` marks an absent value, `off` a disabled one.
 * The interface private key is validated and dropped: it never leaves this function.
 */
export interface DumpInterface {
  publicKey: string | null;
  listenPort: number;
  fwmark: number | null;
}

export interface DumpPeer {
  publicKey: string;
  /** The preshared key (secret) or null; compare it, never print it. */
  presharedKey: string | null;
  endpoint: string | null;
  allowedIps: string[];
  /** Unix seconds of the latest handshake; 0 = never. */
  latestHandshake: number;
  rxBytes: number;
  txBytes: number;
  /** Seconds; 0 = off. */
  persistentKeepalive: number;
}

export interface Dump {
  interface: DumpInterface;
  peers: DumpPeer[];
}

export class DumpFormatError extends Error {
  constructor(line: number, message: string) {
    super(`wg show dump, line ${line}: ${message}`);
    this.name = "DumpFormatError";
  }
}

function none(v: string): string | null {
  return v === "(none)" ? null : v;
}

function uint(v: string, line: number, what: string): number {
  if (!/^\d+$/.test(v)) throw new DumpFormatError(line, `${what} is not a number`);
  return Number(v);
}

function key(v: string, line: number, what: string): string {
  if (!isWgKey(v)) throw new DumpFormatError(line, `${what} is not a WireGuard key`);
  return v;
}

export function parseDump(text: string): Dump {
  const lines = text.split("\n").filter((l) => l !== "");
  const head = lines[0];
  if (head === undefined) throw new DumpFormatError(1, "empty output");
  const f = head.split("\t");
  if (f.length !== 4) throw new DumpFormatError(1, `interface line has ${f.length} fields, expected 4`);
  const [priv, pub, port, fwmark] = f as [string, string, string, string];
  if (none(priv) !== null) key(priv, 1, "private-key");
  const iface: DumpInterface = {
    publicKey: none(pub) === null ? null : key(pub, 1, "public-key"),
    listenPort: uint(port, 1, "listen-port"),
    fwmark: fwmark === "off" ? null : Number.parseInt(fwmark, fwmark.startsWith("0x") ? 16 : 10),
  };
  if (iface.fwmark !== null && Number.isNaN(iface.fwmark)) throw new DumpFormatError(1, "fwmark is not a number");
  const peers = lines.slice(1).map((l, i): DumpPeer => {
    const n = i + 2;
    const p = l.split("\t");
    if (p.length !== 8) throw new DumpFormatError(n, `peer line has ${p.length} fields, expected 8`);
    const [pk, psk, endpoint, ips, hs, rx, tx, ka] = p as [string, string, string, string, string, string, string, string];
    const sharedKey = none(psk);
    return {
      publicKey: key(pk, n, "public-key"),
      presharedKey: sharedKey === null ? null : key(sharedKey, n, "preshared-key"),
      endpoint: none(endpoint),
      allowedIps: none(ips) === null ? [] : ips.split(","),
      latestHandshake: uint(hs, n, "latest-handshake"),
      rxBytes: uint(rx, n, "transfer-rx"),
      txBytes: uint(tx, n, "transfer-tx"),
      persistentKeepalive: ka === "off" ? 0 : uint(ka, n, "persistent-keepalive"),
    };
  });
  return { interface: iface, peers };
}

export function findPeer(dump: Dump, publicKey: string): DumpPeer | undefined {
  return dump.peers.find((p) => p.publicKey === publicKey);
}
