import { createHash } from "node:crypto";

/**
 * Tunnel addresses (IPv4). The hub takes the first host address of its CIDR; peers get the rest
 * (network and broadcast excluded). Peers without an explicit address are allocated
 * deterministically: home slot = sha256(name) mod slots, then linear probing past taken slots.
 * The whole peer list is allocated in one place (AddressBook), so collisions are detected.
 */
export interface Cidr {
  network: number;
  prefix: number;
  size: number;
  text: string;
}

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function parseCidr(text: string): Cidr {
  const [ip, bits, extra] = text.split("/");
  const base = ip === undefined ? undefined : ipToInt(ip);
  const prefix = bits !== undefined && /^\d{1,2}$/.test(bits) ? Number(bits) : Number.NaN;
  if (base === undefined || extra !== undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`${text} is not an IPv4 CIDR`);
  const size = 2 ** (32 - prefix);
  return { network: base - (base % size), prefix, size, text: `${intToIp(base - (base % size))}/${prefix}` };
}

export function inCidr(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip < cidr.network + cidr.size;
}

export function hubAddress(cidr: Cidr): string {
  return intToIp(cidr.network + 1);
}

/** Why `address` cannot be a peer address in `cidr`, or undefined if it can. */
export function peerAddressProblem(cidrText: string, address: string): string | undefined {
  const cidr = parseCidr(cidrText);
  const ip = ipToInt(address);
  if (ip === undefined) return `${address} is not an IPv4 address`;
  if (cidr.prefix > 30) return `hub CIDR ${cidr.text} has no room for peers (needs a prefix of /30 or shorter)`;
  if (!inCidr(cidr, ip)) return `${address} is outside the hub CIDR ${cidr.text}`;
  if (ip === cidr.network) return `${address} is the network address of ${cidr.text}`;
  if (ip === cidr.network + cidr.size - 1) return `${address} is the broadcast address of ${cidr.text}`;
  if (ip === cidr.network + 1) return `${address} is the hub's own address in ${cidr.text}`;
  return undefined;
}

export class AllocationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "AllocationError";
  }
}

export interface Allocation {
  name: string;
  address: string;
  /** True when the address came from the hash (not from config). */
  allocated: boolean;
  /** For allocated peers whose home slot was taken: the home address and who holds it. */
  displaced?: { home: string; by: string };
}

/** First host of the peer range and number of slots. */
function peerRange(cidr: Cidr): { first: number; slots: number } {
  return { first: cidr.network + 2, slots: Math.max(0, cidr.size - 3) };
}

function homeSlot(name: string, slots: number): number {
  return createHash("sha256").update(name).digest().readUInt32BE(0) % slots;
}

/** One hub's address assignments; peers are claimed in a fixed order (explicit ones first). */
export class AddressBook {
  private readonly cidr: Cidr;
  private readonly byIp = new Map<number, string>();
  private readonly byName = new Map<string, Allocation>();

  constructor(cidrText: string) {
    this.cidr = parseCidr(cidrText);
  }

  get(name: string): Allocation | undefined {
    return this.byName.get(name);
  }

  all(): Allocation[] {
    return [...this.byName.values()];
  }

  /** Claims a set at once: explicit addresses first, then allocated ones in list order. Reports every problem. */
  claimAll(peers: ReadonlyArray<{ name: string; address?: string | undefined }>): Allocation[] {
    const problems: string[] = [];
    const tryClaim = (p: { name: string; address?: string | undefined }) => {
      try {
        this.claim(p.name, p.address);
      } catch (err) {
        problems.push((err as Error).message);
      }
    };
    peers.filter((p) => p.address !== undefined).forEach(tryClaim);
    peers.filter((p) => p.address === undefined).forEach(tryClaim);
    if (problems.length > 0) throw new AllocationError(problems);
    return peers.map((p) => this.byName.get(p.name)!);
  }

  claim(name: string, address?: string): Allocation {
    if (this.byName.has(name)) throw new AllocationError([`peer ${JSON.stringify(name)}: declared twice on this hub`]);
    if (address !== undefined) {
      const problem = peerAddressProblem(this.cidr.text, address);
      if (problem) throw new AllocationError([`peer ${JSON.stringify(name)}: address ${problem}`]);
      const ip = ipToInt(address)!;
      const holder = this.byIp.get(ip);
      if (holder !== undefined) {
        throw new AllocationError([`peer ${JSON.stringify(name)}: address ${address} is already used by peer ${JSON.stringify(holder)}`]);
      }
      return this.record(name, ip, { name, address, allocated: false });
    }
    const { first, slots } = peerRange(this.cidr);
    if (slots === 0) throw new AllocationError([`peer ${JSON.stringify(name)}: hub CIDR ${this.cidr.text} has no room for peers`]);
    const home = homeSlot(name, slots);
    for (let i = 0; i < slots; i++) {
      const ip = first + ((home + i) % slots);
      if (this.byIp.has(ip)) continue;
      const a: Allocation = { name, address: intToIp(ip), allocated: true };
      if (i > 0) a.displaced = { home: intToIp(first + home), by: this.byIp.get(first + home)! };
      return this.record(name, ip, a);
    }
    throw new AllocationError([`peer ${JSON.stringify(name)}: no free address left in ${this.cidr.text}`]);
  }

  private record(name: string, ip: number, a: Allocation): Allocation {
    this.byIp.set(ip, name);
    this.byName.set(name, a);
    return a;
  }
}
