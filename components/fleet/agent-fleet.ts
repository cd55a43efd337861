import * as pulumi from "@pulumi/pulumi";
import { LabComponent, type LabComponentArgs } from "../component.ts";
import type { FleetHost } from "./hosts.ts";
import { FleetRollout } from "./rollout-resource.ts";
import type { FleetSettings } from "./settings.ts";

export interface AgentFleetArgs extends LabComponentArgs {
  settings: FleetSettings;
  /** The agents: `agent` peers of the mesh at their tunnel addresses (see `agentHosts`). */
  hosts: pulumi.Input<pulumi.Input<FleetHost>[]>;
  /** SSH private key for the agents (secret labfleet:fleetSshKey). */
  privateKey: pulumi.Input<string>;
}

/**
 * `labfleet:fleet:AgentFleet`: the agent package rolled out to the mesh's agents in batches over
 * SSH (child `<name>-rollout`, a `FleetRollout`). Exports the hosts and the version each runs.
 * docs/design/fleet.md.
 */
export class AgentFleet extends LabComponent {
  readonly hosts: pulumi.Output<FleetHost[]>;
  readonly hostVersions: pulumi.Output<Record<string, string | null>>;
  readonly version: string;

  constructor(name: string, args: AgentFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("fleet", "AgentFleet", name, args, opts);
    const s = args.settings;
    const rollout = new FleetRollout(
      this.childName("rollout"),
      {
        package: s.package,
        install: s.install,
        health: s.health,
        batch: s.batch,
        maxFailures: s.maxFailures,
        pauseSeconds: s.pauseSeconds,
        rollback: s.rollback,
        ssh: s.ssh,
        stateDir: s.stateDir,
        hosts: args.hosts,
        privateKey: pulumi.secret(args.privateKey),
      },
      this.child(),
    );
    this.hosts = pulumi.output(args.hosts) as pulumi.Output<FleetHost[]>;
    this.hostVersions = rollout.hostVersions;
    this.version = s.package.version;
    this.registerOutputs({ hosts: this.hosts, hostVersions: this.hostVersions, version: this.version });
  }

  /** The `fleet` stack output: the version, the hosts and the version each runs. */
  outputs(): { version: string; hosts: pulumi.Output<FleetHost[]>; hostVersions: pulumi.Output<Record<string, string | null>> } {
    return { version: this.version, hosts: this.hosts, hostVersions: this.hostVersions };
  }
}
