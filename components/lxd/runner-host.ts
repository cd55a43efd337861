import * as pulumi from "@pulumi/pulumi";
import type { HomeAssistantConfig, SlotConfig } from "../../hardware/schema/inventory.ts";
import type { RunnerHostConfig } from "./settings.ts";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import { runnerCloudConfig } from "./cloud-init.ts";
import { roleEnvPath } from "../gitlab/env-file.ts";
import type { Role } from "../gitlab/roles.ts";
import { gitlabRunnerConfig } from "./gitlab-runner-config.ts";
import { LxdInstance } from "./instance.ts";
import { LxdInstanceFile, type LxdInstanceFileArgs } from "./instance-file.ts";
import type { LxdRemote } from "./remote.ts";
import { GITLAB_RUNNER_CONFIG, GITLAB_RUNNER_DIR, HUT_INVENTORY_PATH, RUNNER_WG_INTERFACE, runnerInventoryYaml, slotsOn } from "./host-files.ts";
import { slotDevices } from "./slot-devices.ts";

/** The VM's WireGuard peer, when the WireGuard component provides one (wired by the stack). */
export interface RunnerHostWireGuard {
  /** Tunnel address of the runner, e.g. 10.88.0.10. */
  address: pulumi.Input<string>;
  /** wg-quick config for the runner (secret); pushed into the instance as a file and enabled as wg-quick@<interface>. */
  clientConfig?: pulumi.Input<string>;
  /** wg-quick interface name inside the VM (default `labfleet`, RUNNER_WG_INTERFACE). */
  interface?: string;
}

export interface RunnerHostArgs extends LabComponentArgs {
  runner: RunnerHostConfig;
  /** The runner's remote (`labfleet:lxd.remotes[runner.remote]`). */
  remote: LxdRemote;
  /** Private key of the remote's client certificate (secret), for https remotes. */
  clientKey?: pulumi.Input<string>;
  /**
   * The HUT inventory (resolved slots); the slots whose `runner` is this runner get their adapter
   * passed through and are written to the runner's `HUT_INVENTORY` file.
   */
  slots: readonly SlotConfig[];
  /** `labfleet:hut.homeAssistant`, part of the runner's inventory file (no token). */
  homeAssistant?: HomeAssistantConfig;
  /** The artifact store URL, part of the runner's inventory file (`hut fetch` finds it there). */
  artifactStore?: string;
  wireguard?: RunnerHostWireGuard;
  /** GitLab runners of this runner's slots (wired by the stack from `RoleRepos.ciRunnerTokens`). */
  gitlab?: RunnerHostGitlab;
}

export interface RunnerHostGitlab {
  /** GitLab base URL. */
  url: string;
  /** Runner authentication token per slot label (secret); labels of other runners are ignored. */
  ciRunnerTokens?: pulumi.Input<Record<string, string>>;
  /**
   * Env file text (`GITLAB_HOST`, `GITLAB_USER`, `GITLAB_PAT`; secret) of each role whose agent
   * lives on this host (`RoleRepos.roleEnvs`): written 0600 for `sshUser` where the role agent
   * reads its credentials (`roleEnvPath`, under `/home/<sshUser>`).
   */
  roleEnvs?: Partial<Record<Role, pulumi.Input<string>>>;
}

/** What the stack exports per runner host. */
export interface RunnerHostOutputs {
  name: pulumi.Output<string>;
  ipv4: pulumi.Output<string | undefined>;
  wireguardAddress: pulumi.Output<string | undefined>;
  sshUser: pulumi.Output<string>;
  status: pulumi.Output<string>;
}

const FINGERPRINT = /^[0-9a-f]{64}$/;

/**
 * RunnerHost (type token `labfleet:lxd:RunnerVm`, kept: it is part of every deployed URN; see
 * "Names" in docs/architecture.md) — a runner host as an LXD instance (container or VM): the cloud-init baseline, the
 * USB adapters of its HUT slots, their inventory (`HUT_INVENTORY`), one GitLab runner per slot
 * label (`config.toml`), and optionally its WireGuard peer.
 */
export class RunnerHost extends LabComponent {
  /** The runner's configured name (known at plan time). */
  readonly hostName: string;
  readonly name: pulumi.Output<string>;
  readonly ipv4: pulumi.Output<string | undefined>;
  readonly wireguardAddress: pulumi.Output<string | undefined>;
  readonly sshUser: pulumi.Output<string>;
  readonly status: pulumi.Output<string>;
  readonly instance: LxdInstance;
  /** The WireGuard config file, when the runner has a peer. */
  readonly wireguardConfig?: LxdInstanceFile;
  /** `/etc/labfleet/hut-inventory.yaml`, when the runner carries HUT slots. */
  readonly hutInventory?: LxdInstanceFile;
  /** `/etc/gitlab-runner/config.toml` (secret), when the runner carries slots and GitLab is wired. */
  readonly gitlabRunnerConfig?: LxdInstanceFile;
  /** The role credentials files delivered into this host, per role (secret content). */
  readonly roleCredentials: Partial<Record<Role, LxdInstanceFile>> = {};

  constructor(name: string, args: RunnerHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("lxd", "RunnerVm", name, args, opts);
    const r = args.runner;
    const wg = args.wireguard;
    this.hostName = r.name;

    const tagConfig = Object.fromEntries(Object.entries(this.tags({ runner: r.name })).map(([k, v]) => [`user.labfleet.${k}`, v]));
    const userData = r.cloudInit
      ? runnerCloudConfig({
          sshUser: r.sshUser,
          sshPublicKey: r.sshPublicKey ?? "",
          nodeChannel: r.nodeChannel,
          hutPackage: r.hutPackage,
          wireguard: wg !== undefined,
          gitlabRunnerAptKey: r.gitlabRunnerAptKey,
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

    // Files, not user-data: user-data is read once and changing it replaces the instance; a
    // rewritten file (key rotation, inventory edit, new runner token) keeps the runner.
    const file = (suffix: string, spec: Omit<LxdInstanceFileArgs, "remote" | "clientKey" | "instance" | "instanceUuid">) =>
      new LxdInstanceFile(
        this.childName(suffix),
        {
          remote: args.remote,
          clientKey: args.remote.kind === "https" ? args.clientKey : undefined,
          instance: this.instance.name,
          instanceUuid: this.instance.uuid.apply((u) => u ?? ""),
          ...spec,
        },
        this.child(),
      );

    if (wg?.clientConfig !== undefined) {
      const wgIf = wg.interface ?? RUNNER_WG_INTERFACE;
      this.wireguardConfig = file("wireguard", {
        path: `/etc/wireguard/${wgIf}.conf`,
        content: pulumi.secret(wg.clientConfig),
        mode: "0600",
        apply: ["sh", "-c", `systemctl enable wg-quick@${wgIf} && systemctl restart wg-quick@${wgIf}`],
        remove: ["sh", "-c", `systemctl disable --now wg-quick@${wgIf} || true`],
      });
    }

    const mySlots = slotsOn(r.name, args.slots);
    if (mySlots.length > 0) {
      // Non-secret: what `hut` on the runner (CI jobs, operators) reads through HUT_INVENTORY.
      this.hutInventory = file("hut-inventory", { path: HUT_INVENTORY_PATH, content: runnerInventoryYaml(r.name, args.slots, args.homeAssistant, args.artifactStore), mode: "0644" });
    }
    for (const [role, text] of Object.entries(args.gitlab?.roleEnvs ?? {}) as [Role, pulumi.Input<string>][]) {
      // 0600 for the agent's user, directories 0700: the contract of components/gitlab/env-file.ts
      this.roleCredentials[role] = file(`gitlab-${role}-env`, {
        path: roleEnvPath(role, new URL(args.gitlab!.url).host, { HOME: `/home/${r.sshUser}` }),
        content: pulumi.secret(text),
        mode: "0600",
        owner: r.sshUser,
        dirMode: "0700",
      });
    }
    if (mySlots.length > 0 && args.gitlab?.ciRunnerTokens !== undefined) {
      const { url, ciRunnerTokens } = args.gitlab;
      const slotCiRunners = mySlots.map((s) => ({ label: s.label, slotId: s.id }));
      this.gitlabRunnerConfig = file("gitlab-runner", {
        path: GITLAB_RUNNER_CONFIG,
        content: pulumi.secret(pulumi.output(ciRunnerTokens).apply((tokens) => gitlabRunnerConfig({ url, runner: r.name, slots: slotCiRunners, tokens }))),
        mode: "0600",
        uid: 0,
        gid: 0,
        apply: ["sh", "-c", `chmod 0700 ${GITLAB_RUNNER_DIR} && systemctl enable gitlab-runner && systemctl restart gitlab-runner`],
        remove: ["sh", "-c", "systemctl disable --now gitlab-runner || true"],
      });
    }

    this.name = this.instance.name;
    this.ipv4 = this.instance.ipv4;
    this.status = this.instance.status;
    this.sshUser = pulumi.output(r.sshUser);
    this.wireguardAddress = pulumi.output(wg?.address);
    this.registerOutputs(this.outputs());
  }

  /** The runner host's row of the stack output `runners` (keyed by `hostName`). */
  outputs(): RunnerHostOutputs {
    return { name: this.name, ipv4: this.ipv4, wireguardAddress: this.wireguardAddress, sshUser: this.sshUser, status: this.status };
  }
}
