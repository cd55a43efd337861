import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/index.ts";
import type { TagContext } from "../components/component.ts";
import { RunnerVm } from "../components/lxd/runner-vm.ts";

/** What the stack exports per runner host. */
export interface RunnerRow {
  name: pulumi.Output<string>;
  ipv4: pulumi.Output<string | undefined>;
  wireguardAddress: pulumi.Output<string | undefined>;
  sshUser: pulumi.Output<string>;
  status: pulumi.Output<string>;
}

/** What a runner needs from the WireGuard hub (structurally `WireGuardHub.addPeer`). */
export interface RunnerPeerSource {
  addPeer(name: string, spec: { kind: "runner" }): { address: string; resource: { clientConfig: pulumi.Output<string> } };
}

/**
 * One `RunnerVm` per `labfleet:lxd.runners[]`, each on its remote, with the HUT slots that name
 * it (USB passthrough and their inventory file). With a hub, a runner joins the mesh as a `runner`
 * peer (`runners[].wireguard`, default: when it has the cloud-init baseline); a peer declared in
 * `labfleet:wireguard.peers` under the runner's name (e.g. with a pinned address) is that peer.
 * With GitLab's runner tokens (`RoleRepos.runnerTokens`), a runner carrying slots gets the
 * gitlab-runner config.toml for their labels.
 */
export function runnerVms(cfg: StackConfig, tags: TagContext, hub?: RunnerPeerSource, runnerTokens?: pulumi.Input<Record<string, string>>): RunnerVm[] {
  const lxd = cfg.lxd;
  if (!lxd.enabled) return [];
  const slots = cfg.hut.enabled ? cfg.hut.slots : [];
  return lxd.runners.map((runner) => {
    const remote = lxd.remotes[runner.remote];
    if (!remote) throw new Error(`labfleet:lxd.runners: remote ${runner.remote} of ${runner.name} is not declared`);
    const peer = hub && (runner.wireguard ?? runner.cloudInit) ? hub.addPeer(runner.name, { kind: "runner" }) : undefined;
    return new RunnerVm(runner.name, {
      tags,
      runner,
      remote,
      clientKey: cfg.secrets.lxdClientKey,
      slots,
      homeAssistant: cfg.hut.enabled ? cfg.hut.homeAssistant : undefined,
      wireguard: peer && { address: peer.address, clientConfig: peer.resource.clientConfig },
      gitlab: runnerTokens !== undefined && cfg.gitlab.enabled ? { url: cfg.gitlab.url, runnerTokens } : undefined,
    });
  });
}

/** The stack output: runner name → addresses, SSH user and status. */
export function runnerOutputs(vms: RunnerVm[]): Record<string, RunnerRow> {
  return Object.fromEntries(
    vms.map((vm) => [vm.runnerName, { name: vm.name, ipv4: vm.ipv4, wireguardAddress: vm.wireguardAddress, sshUser: vm.sshUser, status: vm.status }]),
  );
}

/**
 * SSH connection per runner for the HUT slot commands: the WireGuard address when the runner has
 * a peer (reachable from anywhere on the mesh), else the instance's IPv4 (reachable from the LXD
 * host's network), else its name (LXD's DNS on the bridge); and the runner's SSH user.
 */
export function runnerConnections(vms: RunnerVm[]): Record<string, { host: pulumi.Output<string>; user: pulumi.Output<string> }> {
  return Object.fromEntries(
    vms.map((vm) => [
      vm.runnerName,
      { host: pulumi.all([vm.wireguardAddress, vm.ipv4]).apply(([wg, ip]) => wg ?? ip ?? vm.runnerName), user: vm.sshUser },
    ]),
  );
}
