import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { AddressBook, hubAddress, parseCidr } from "./addresses.ts";
import { WireGuardHubState } from "./hub-state.ts";
import { WireGuardPeer } from "./peer.ts";
import type { DeliverySpec, PeerSpec } from "./peer-schema.ts";
import type { RotationSettings } from "./settings.ts";
import type { TransportSpec } from "./transport.ts";

export interface WireGuardHubArgs extends LabComponentArgs {
  interface: string;
  listenPort: number;
  endpoint: string;
  cidr: string;
  /** Pinned hub public key; read from the live hub (WireGuardHubState) when absent. */
  publicKey?: string;
  transport: TransportSpec;
  /** File on the hub its peers are kept in (persist.ts); absent = not kept. */
  persistFile?: string;
  /** Secret key for the ssh transport. */
  sshPrivateKey?: pulumi.Input<string>;
  /** Peers from config, in declaration order (allocation order). */
  peers?: ReadonlyArray<PeerSpec & { name: string }>;
  rotation?: Pick<RotationSettings, "graceDays" | "handshakeTimeoutSeconds">;
  /** How a rotated key reaches each peer (absent = none: a grace rotation). Wired by the stack. */
  delivery?: (peer: { name: string; kind: string; address: string }) => PeerDelivery | undefined;
}

/** A peer's delivery path and its secret (the SSH key, or the LXD client key of an https remote). */
export interface PeerDelivery {
  spec: z.input<typeof DeliverySpec>;
  key?: pulumi.Input<string> | undefined;
}

export interface HubPeer {
  resource: WireGuardPeer;
  name: string;
  kind: string;
  tags: string[];
  /** Tunnel address, known at plan time (its home address, for a peer that alternates). */
  address: string;
  /** Whether a rotation moves it between two addresses (no delivery path; docs/design/wireguard.md). */
  alternates: boolean;
}

/**
 * WireGuardHub (`labfleet:wireguard:WireGuardHub`): the hub's identity (public key, endpoint,
 * CIDR) and its peers. Every peer's address comes from one AddressBook, so explicit addresses
 * are validated and allocated ones are deterministic; `addPeer` is how other components (runner
 * VMs) join the network.
 */
export class WireGuardHub extends LabComponent {
  readonly publicKey: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly cidr: pulumi.Output<string>;
  /** The hub's own tunnel address (first host of the CIDR). */
  readonly address: string;
  readonly peers = new Map<string, HubPeer>();
  private readonly book: AddressBook;
  private readonly fromConfig = new Set<string>();
  private readonly settings: WireGuardHubArgs;

  constructor(name: string, args: WireGuardHubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("wireguard", "WireGuardHub", name, args, opts);
    this.settings = args;
    const cidr = parseCidr(args.cidr);
    this.book = new AddressBook(cidr.text);
    this.address = hubAddress(cidr);
    this.cidr = pulumi.output(cidr.text);
    this.endpoint = pulumi.output(args.endpoint);
    this.publicKey = args.publicKey
      ? pulumi.output(args.publicKey)
      : new WireGuardHubState(
          this.childName("state"),
          { interface: args.interface, transport: args.transport, sshPrivateKey: args.sshPrivateKey, listenPort: args.listenPort },
          this.child(),
        ).publicKey;
    const declared = args.peers ?? [];
    this.book.claimAll(declared);
    for (const p of declared) {
      this.register(p.name, p);
      this.fromConfig.add(p.name);
    }
    this.registerOutputs({ publicKey: this.publicKey, endpoint: this.endpoint, cidr: this.cidr });
  }

  /**
   * The hub's stack outputs, read after every component has added its peers: hub public key,
   * endpoint, CIDR and address, each peer's address/kind/public key, and the client configs and
   * their QR codes (SVG) as secrets.
   */
  outputs(): Record<string, pulumi.Input<unknown>> {
    const peers = [...this.peers.values()];
    return {
      wireguardHub: { publicKey: this.publicKey, endpoint: this.endpoint, cidr: this.cidr, address: this.address },
      wireguardPeers: Object.fromEntries(
        peers.map((p) => [
          p.name,
          {
            // A peer with an alternate address (grace rotations) holds one of two: read it from the peer.
            address: p.alternates ? p.resource.activeAddress.apply((a) => a || p.address) : p.address,
            kind: p.kind,
            tags: p.tags,
            publicKey: p.resource.publicKey,
            latestHandshake: p.resource.latestHandshake,
            previousPublicKey: p.resource.previousPublicKey,
            graceUntil: p.resource.graceUntil,
          },
        ]),
      ),
      wireguardClientConfigs: pulumi.secret(Object.fromEntries(peers.map((p) => [p.name, p.resource.clientConfig]))),
      wireguardQrCodes: pulumi.secret(Object.fromEntries(peers.map((p) => [p.name, p.resource.qrCodeSvg]))),
    };
  }

  /**
   * Adds a peer to this hub (runner hosts call this for themselves). Its address is claimed from the
   * same AddressBook as the config peers: an explicit address that is taken or outside the CIDR
   * throws, naming both peers. A peer of the same name declared in `labfleet:wireguard.peers` is
   * returned as is (config settings win), so a runner can be pinned or tuned from config.
   */
  addPeer(name: string, spec: PeerSpec = {}, opts: pulumi.CustomResourceOptions = {}): HubPeer {
    const declared = this.peers.get(name);
    if (declared && this.fromConfig.has(name)) return declared; // the config entry (e.g. a pinned address) wins
    this.book.claim(name, spec.address);
    return this.register(name, spec, opts);
  }

  private register(name: string, spec: PeerSpec, opts: pulumi.CustomResourceOptions = {}): HubPeer {
    const alloc = this.book.get(name)!;
    const { kind = "agent" } = spec;
    const delivery = this.settings.delivery?.({ name, kind, address: alloc.address });
    // A rotating peer with no delivery path (an operator) alternates between two addresses: its
    // old key keeps one during the grace (docs/design/wireguard.md, "Key rotation").
    const rotates = spec.rotateAfterDays !== undefined || spec.rotation !== undefined;
    const alternate = !delivery && rotates ? this.book.claim(`${name}.alternate`).address : undefined;
    if (alloc.displaced) {
      pulumi.log.warn(
        `wireguard peer ${name} got ${alloc.address}: its home address ${alloc.displaced.home} is held by ${alloc.displaced.by}. ` +
          `Pin it (address: ${alloc.address}) so it keeps this address if ${alloc.displaced.by} is removed.`,
        this,
      );
    }
    // The provider's check re-validates against the other peers' pinned addresses. Allocated
    // addresses cannot collide (the AddressBook probes past taken slots), and listing every
    // peer in every peer's inputs would make the stack quadratic in the number of peers.
    const reserved = Object.fromEntries(this.book.all().filter((a) => a.name !== name && !a.allocated).map((a) => [a.name, a.address]));
    const s = this.settings;
    // The peer's own settings pass through as declared; the hub adds where and how it is applied.
    const { kind: _kind, tags = [], address: _claimed, name: _name, ...own } = spec as PeerSpec & { name?: string };
    const resource = new WireGuardPeer(
      this.childName(name),
      {
        ...own,
        name,
        interface: s.interface,
        transport: s.transport,
        sshPrivateKey: s.sshPrivateKey,
        ...(s.persistFile ? { persistFile: s.persistFile } : {}),
        hubPublicKey: this.publicKey,
        hubEndpoint: s.endpoint,
        cidr: parseCidr(s.cidr).text,
        address: alloc.address,
        reserved,
        ...(alternate ? { alternateAddress: alternate } : {}),
        ...(delivery ? { delivery: delivery.spec, ...(delivery.key !== undefined ? { deliveryPrivateKey: delivery.key } : {}) } : {}),
        ...(s.rotation ? { rotationGraceDays: s.rotation.graceDays, handshakeTimeoutSeconds: s.rotation.handshakeTimeoutSeconds } : {}),
      },
      { parent: this, ...opts }, // a caller (e.g. a runner host) may parent its peer to itself
    );
    const peer: HubPeer = { resource, name, kind, tags, address: alloc.address, alternates: alternate !== undefined };
    this.peers.set(name, peer);
    return peer;
  }
}
