import { describe, expect, it } from "vitest";
import { check, res, unknown } from "../helpers.ts";

const peer = (inputs: Record<string, unknown>) => res("pulumi-nodejs:dynamic/wireguard:WireGuardPeer", "operator-oncall", { name: "operator-oncall", ...inputs });

describe("wireguard-key-age (advisory)", () => {
  it("passes peers that rotate within the maximum", async () => {
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString();
    expect(await check("wireguard-key-age", [peer({ rotateAfterDays: 90, createdAt: recent })])).toEqual([]);
    // a peer that brings its own public key has nothing for labfleet to rotate
    expect(await check("wireguard-key-age", [peer({ publicKey: "x".repeat(43) + "=" })])).toEqual([]);
  });
  it("reports peers without rotation, rotating too rarely, or with old keys — as advisory", async () => {
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const vs = await check("wireguard-key-age", [peer({}), peer({ rotateAfterDays: 365 }), peer({ rotateAfterDays: 30, createdAt: old }), peer({ rotateAfterDays: unknown.number })]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      "pulumi-nodejs:dynamic/wireguard:WireGuardPeer::operator-oncall has no key rotation policy",
      "pulumi-nodejs:dynamic/wireguard:WireGuardPeer::operator-oncall rotates its key every 365 days, more than 90",
      `pulumi-nodejs:dynamic/wireguard:WireGuardPeer::operator-oncall key is 200 days old (createdAt ${old}), over 90`,
      "pulumi-nodejs:dynamic/wireguard:WireGuardPeer::operator-oncall has no key rotation policy",
    ]);
    expect(vs.every((v) => v.enforcementLevel === "advisory")).toBe(true);
  });
  it("maxAgeDays is tunable", async () => {
    expect(await check("wireguard-key-age", [peer({ rotateAfterDays: 120 })], { "wireguard-key-age": { maxAgeDays: 180 } })).toEqual([]);
  });
});
