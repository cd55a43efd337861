import * as pulumi from "@pulumi/pulumi";
import type { RunnerConfig } from "../../stacks/config/sections/lxd.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { runnerCloudConfig } from "./cloud-init.ts";
import { LxdInstance } from "./instance.ts";
import { LxdInstanceFile } from "./instance-file.ts";
import type { LxdRemote } from "./remote.ts";
import { type PassthroughSlot, slotDevices } from "./slot-devices.ts";

/** The VM's WireGuard peer, when the WireGuard component provides one (wired by the stack). */
export interface RunnerWireGuard {
  /** Tunnel address of the runner, e.g. 10.88.0.10. */
  address: pulumi.Input<string>;
  /** wg-quick config for the runner (secret); pushed into the instance as a file and enabled as wg-quick@<interface>. */
  clientConfig?: pulumi.Input<string>;
  /** wg-quick interface name inside the VM (default `labfleet`). */
  interface?: string;
}

export interface RunnerVmArgs extends LabComponentArgs {
  runner: RunnerConfig;
  /** The runner's remote (`labfleet:lxd.remotes[runner.remote]`). */
  remote: LxdRemote;
  /** Private key of the remote's client certificate (secret), for https remotes. */
  clientKey?: pulumi.Input<string>;
  /** The HUT inventory; slots whose `runner` is this runner get their adapter passed through. */
  slots: readonly PassthroughSlot[];
  wireguard?: RunnerWireGuard;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * `labfleet:lxd:RunnerVm` — a CI runner host as an LXD instance: the cloud-init baseline, the
 * USB adapters of its HUT slots, and optionally its WireGuard peer.
 */
export class RunnerVm extends LabComponent {
  /** The runner's configured name (known at plan time). */
  readonly runnerName: string;
  readonly name: pulumi.Output<string>;
  readonly ipv4: pulumi.Output<string | undefined>;
  readonly wireguardAddress: pulumi.Output<string | undefined>;
  readonly sshUser: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  readonly instance: LxdInstance;
  /** The WireGuard config file, when the runner has a peer. */
  readonly wireguardConfig?: LxdInstanceFile;

  constructor(name: string, args: RunnerVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lxd", "RunnerVm", name, args, opts);
    const r = args.runner;
    const wg = args.wireguard;
    this.runnerName = r.name;

    const tagConfig = Object.fromEntries(Object.entries(this.tags({ runner: r.name })).map(([k, v]) => [`user.labfleet.${k}`, v]));
    const userData = r.cloudInit
      ? runnerCloudConfig({
          sshUser: r.sshUser,
          sshPublicKey: r.sshPublicKey ?? "",
          nodeChannel: r.nodeChannel,
          hutPackage: r.hutPackage,
          wireguard: wg !== undefined,
        })
      : undefined;
    const config = {
      ...tagConfig,
      ...(r.type === "container" ? { "security.nesting": "true" } : {}),
      ...(userData !== undefined ? { "cloud-init.user-data": userData } : {}),
      ...r.config,
    };

    this.instance = new LxdInstance(
      this.childName("instance"),
      {
        remote: args.remote,
        clientKey: args.remote.kind === "https" ? args.clientKey : undefined,
        name: r.name,
        type: r.type,
        image: {
          ...(FINGERPRINT.test(r.image) ? { fingerprint: r.image } : { alias: r.image }),
          ...(r.imageServer ? { server: r.imageServer } : {}),
        },
        profiles: r.profiles,
        limits: { cpu: r.cpu, memory: r.memory },
        rootDisk: { size: r.diskSize, ...(r.diskPool ? { pool: r.diskPool } : {}) },
        config,
        devices: { ...slotDevices(r, args.slots), ...r.devices },
        description: `labfleet runner ${r.name}`,
        readiness: { timeoutSeconds: r.readinessTimeoutSeconds, cloudInit: r.cloudInit, ipv4: true },
        stopTimeoutSeconds: r.stopTimeoutSeconds,
      },
      this.child(),
    );

    // The peer's config is a file, not user-data: a key rotation rewrites it and restarts
    // wg-quick instead of rebuilding the runner.
    if (wg?.clientConfig !== undefined) {
      const wgIf = wg.interface ?? "labfleet";
      this.wireguardConfig = new LxdInstanceFile(
        this.childName("wireguard"),
        {
          remote: args.remote,
          clientKey: args.remote.kind === "https" ? args.clientKey : undefined,
          instance: this.instance.name,
          instanceUuid: this.instance.uuid.apply((u) => u ?? ""),
          path: `/etc/wireguard/${wgIf}.conf`,
          content: pulumi.secret(wg.clientConfig),
          mode: "0600",
          apply: ["sh", "-c", `systemctl enable wg-quick@${wgIf} && systemctl restart wg-quick@${wgIf}`],
          remove: ["sh", "-c", `systemctl disable --now wg-quick@${wgIf} || true`],
        },
        this.child(),
      );
    }

    this.name = this.instance.name;
    this.ipv4 = this.instance.ipv4;
    this.status = this.instance.status;
    this.sshUser = pulumi.output(r.sshUser);
    this.wireguardAddress = pulumi.output(wg?.address);
    this.registerOutputs({
      name: this.name,
      ipv4: this.ipv4,
      wireguardAddress: this.wireguardAddress,
      sshUser: this.sshUser,
      status: this.status,
    });
  }
}
