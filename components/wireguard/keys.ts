import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";

/**
 * WireGuard keys: 32-byte Curve25519 values in standard base64 (44 chars, one `=`), the format
 * `wg genkey` / `wg pubkey` / `wg genpsk` print. Generated in-process with node:crypto.
 */
export const WG_KEY_RE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** PKCS#8 DER prefix of an X25519 private key (RFC 8410); the 32 raw bytes follow. */
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

function b64urlToB64(s: string): string {
  return Buffer.from(s, "base64url").toString("base64");
}

export function isWgKey(s: unknown): s is string {
  return typeof s === "string" && WG_KEY_RE.test(s) && Buffer.from(s, "base64").length === 32;
}

export function generateKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("x25519");
  const d = privateKey.export({ format: "jwk" }).d;
  const x = publicKey.export({ format: "jwk" }).x;
  if (!d || !x) throw new Error("node:crypto did not export an X25519 key pair");
  return { privateKey: b64urlToB64(d), publicKey: b64urlToB64(x) };
}

/** The public key of a base64 private key, as `wg pubkey` computes it. */
export function publicKeyOf(privateKey: string): string {
  if (!isWgKey(privateKey)) throw new Error("not a WireGuard private key (32 bytes, base64)");
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKey, "base64")]);
  const key = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const x = createPublicKey(key).export({ format: "jwk" }).x;
  if (!x) throw new Error("node:crypto did not derive an X25519 public key");
  return b64urlToB64(x);
}

/** A preshared key, as `wg genpsk` prints it. */
export function generatePresharedKey(): string {
  return randomBytes(32).toString("base64");
}

/** Short, non-secret label of a public key for messages: `AbCdEf12…`. */
export function keyLabel(publicKey: string): string {
  return `${publicKey.slice(0, 8)}…`;
}
