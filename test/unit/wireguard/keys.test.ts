import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { generateKeyPair, generatePresharedKey, isWgKey, keyLabel, publicKeyOf } from "../../../components/wireguard/keys.ts";

const wg = (args: string[], input?: string) => execFileSync("wg", args, { input }).toString().trim();

describe("WireGuard keys from node:crypto", () => {
  it("generates X25519 pairs whose public key is what `wg pubkey` derives", () => {
    for (let i = 0; i < 5; i++) {
      const k = generateKeyPair();
      expect(isWgKey(k.privateKey)).toBe(true);
      expect(isWgKey(k.publicKey)).toBe(true);
      expect(k.publicKey).toBe(wg(["pubkey"], k.privateKey));
    }
  });

  it("derives the public key of a `wg genkey` private key exactly like `wg pubkey`", () => {
    const priv = wg(["genkey"]);
    expect(publicKeyOf(priv)).toBe(wg(["pubkey"], priv));
  });

  it("makes 32-byte preshared keys in `wg genpsk` format, different every time", () => {
    const a = generatePresharedKey();
    expect(isWgKey(a)).toBe(true);
    expect(isWgKey(wg(["genpsk"]))).toBe(true);
    expect(generatePresharedKey()).not.toBe(a);
  });

  it("rejects what is not a WireGuard key", () => {
    for (const bad of ["", "abc", `${"A".repeat(43)}=`.replace(/=$/, "B"), `${"A".repeat(42)}B=`, `${"A".repeat(44)}=`]) {
      expect(isWgKey(bad)).toBe(false);
    }
    expect(() => publicKeyOf("nope")).toThrow("not a WireGuard private key");
    expect(keyLabel("dOiUEE8d+rgpqMR0+8Bvj0SkqKFWi/phZeLsIKH4nEs=")).toBe("dOiUEE8d…");
  });
});
