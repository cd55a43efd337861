import { describe, expect, it } from "vitest";
import { AddressBook, AllocationError, hubAddress, parseCidr, peerAddressProblem } from "../../../components/wireguard/addresses.ts";

const CIDR = "10.77.0.0/24";
const names = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `peer-${i}` }));
const alloc = (peers: { name: string; address?: string }[], cidr = CIDR) =>
  Object.fromEntries(new AddressBook(cidr).claimAll(peers).map((a) => [a.name, a.address]));

describe("AddressBook: deterministic tunnel addresses", () => {
  it("gives the hub the first host and peers addresses inside the CIDR, never network/broadcast/hub", () => {
    expect(hubAddress(parseCidr(CIDR))).toBe("10.77.0.1");
    const all = Object.values(alloc(names(200)));
    expect(new Set(all).size).toBe(200);
    for (const a of all) expect(peerAddressProblem(CIDR, a)).toBeUndefined();
  });

  it("is stable across runs and independent of other peers being added or removed (no collision)", () => {
    const base = alloc([{ name: "agent-pi-01" }, { name: "operator-laptop" }, { name: "runner-01" }]);
    expect(alloc([{ name: "agent-pi-01" }, { name: "operator-laptop" }, { name: "runner-01" }])).toEqual(base);
    const grown = alloc([{ name: "agent-pi-02" }, { name: "agent-pi-01" }, { name: "operator-laptop" }, { name: "runner-01" }, { name: "x" }]);
    const shrunk = alloc([{ name: "runner-01" }, { name: "agent-pi-01" }]);
    for (const n of ["agent-pi-01", "operator-laptop", "runner-01"]) expect(grown[n]).toBe(base[n]);
    expect(shrunk["runner-01"]).toBe(base["runner-01"]);
    expect(shrunk["agent-pi-01"]).toBe(base["agent-pi-01"]);
  });

  it("resolves a hash collision by linear probing and says who was displaced", () => {
    // In a /29 there are 5 peer slots, so collisions are certain among 6 names.
    const book = new AddressBook("10.9.0.0/29");
    const got = book.claimAll(names(5));
    expect(new Set(got.map((a) => a.address)).size).toBe(5);
    const displaced = got.filter((a) => a.displaced);
    expect(displaced.length).toBeGreaterThan(0);
    for (const d of displaced) expect(got.find((a) => a.address === d.displaced?.home)).toBeDefined();
    expect(() => book.claim("peer-5")).toThrow('peer "peer-5": no free address left in 10.9.0.0/29');
  });

  it("claims explicit addresses first, so an allocated peer never takes a pinned one", () => {
    const free = alloc([{ name: "agent-a" }]);
    const pinned = alloc([{ name: "agent-a" }, { name: "pinned", address: free["agent-a"]! }]);
    expect(pinned.pinned).toBe(free["agent-a"]);
    expect(pinned["agent-a"]).not.toBe(free["agent-a"]);
  });

  it("rejects out-of-range, reserved and duplicate addresses naming the peers, all at once", () => {
    const book = new AddressBook(CIDR);
    let err: unknown;
    try {
      book.claimAll([
        { name: "a", address: "10.77.0.5" },
        { name: "b", address: "10.77.0.5" },
        { name: "c", address: "10.78.0.5" },
        { name: "d", address: "10.77.0.1" },
        { name: "e", address: "10.77.0.255" },
        { name: "f", address: "10.77.0.0" },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AllocationError);
    expect((err as AllocationError).problems).toEqual([
      'peer "b": address 10.77.0.5 is already used by peer "a"',
      'peer "c": address 10.78.0.5 is outside the hub CIDR 10.77.0.0/24',
      'peer "d": address 10.77.0.1 is the hub\'s own address in 10.77.0.0/24',
      'peer "e": address 10.77.0.255 is the broadcast address of 10.77.0.0/24',
      'peer "f": address 10.77.0.0 is the network address of 10.77.0.0/24',
    ]);
    expect(() => new AddressBook(CIDR).claimAll([{ name: "a" }, { name: "a" }])).toThrow('peer "a": declared twice on this hub');
  });

  it("parses CIDRs strictly", () => {
    expect(parseCidr("10.77.0.9/24").text).toBe("10.77.0.0/24");
    expect(() => parseCidr("10.77.0.0")).toThrow("is not an IPv4 CIDR");
    expect(() => parseCidr("10.77.0.300/24")).toThrow("is not an IPv4 CIDR");
    expect(peerAddressProblem("10.0.0.0/31", "10.0.0.1")).toMatch(/no room for peers/);
  });
});
