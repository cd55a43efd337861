import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/index.ts";
import type { TagContext } from "../components/component.ts";
import type { Role } from "../components/gitlab/roles.ts";
import { RunnerHost } from "../components/lxd/runner-host.ts";
import { artifactStoreUrl } from "./artifacts.ts";

/** What a runner host needs from the WireGuard hub (structurally `WireGuardHub.addPeer`). */
export interface RunnerHostPeerSource {
  addPeer(name: string, spec: { kind: "runner" }): { address: string; resource: { clientConfig: pulumi.Output<string> } };
}

/**
 * One `RunnerHost` per `labfleet:lxd.runners[]`, each on its remote, with the HUT slots that name
 * it (USB passthrough and their inventory file). With a hub, a runner host joins the mesh as a `runner`
 * peer (`runners[].wireguard`, default: when it has the cloud-init baseline); a peer declared in
 * `labfleet:wireguard.peers` under the runner's name (e.g. with a pinned address) is that peer.
 * With GitLab's runner tokens (`RoleRepos.ciRunnerTokens`), a runner carrying slots gets the
 * gitlab-runner config.toml for their labels; every runner host gets the env files of the roles
 * whose agents live there (`labfleet:gitlab.runnerHostRoles`, from `RoleRepos.roleEnvs`).
 */
export function runnerHosts(cfg: StackConfig, tags: TagContext, hub?: RunnerHostPeerSource, gitlab?: RunnerHostsGitlab): RunnerHost[] {
  const lxd = cfg.lxd;
  if (!lxd.enabled) return [];
  const slots = cfg.hut.enabled ? cfg.hut.slots : [];
  return lxd.runners.map((runner) => {
    const remote = lxd.remotes[runner.remote];
    if (!remote) throw new Error(`labfleet:lxd.runners: remote ${runner.remote} of ${runner.name} is not declared`);
    const peer = hub && (runner.wireguard ?? runner.cloudInit) ? hub.addPeer(runner.name, { kind: "runner" }) : undefined;
    return new RunnerHost(runner.name, {
      tags,
      runner,
      remote,
      clientKey: cfg.secrets.lxdClientKey,
      slots,
      homeAssistant: cfg.hut.enabled ? cfg.hut.homeAssistant : undefined,
      artifactStore: artifactStoreUrl(cfg),
      wireguard: peer && { address: peer.address, clientConfig: peer.resource.clientConfig },
      gitlab:
        gitlab !== undefined && cfg.gitlab.enabled
          ? { url: cfg.gitlab.url, ciRunnerTokens: gitlab.ciRunnerTokens, roleEnvs: Object.fromEntries(runnerHostRoles(cfg).map((r) => [r, gitlab.roleEnvs[r]])) }
          : undefined,
    });
  });
}

/** What runner hosts take from `RoleRepos` (structurally). */
export interface RunnerHostsGitlab {
  ciRunnerTokens: pulumi.Input<Record<string, string>>;
  roleEnvs: Record<Role, pulumi.Input<string>>;
}

/** The roles whose tokens the runner hosts receive: none without GitLab or without runner hosts. */
export function runnerHostRoles(cfg: StackConfig): Role[] {
  return cfg.gitlab.enabled && cfg.lxd.enabled && cfg.lxd.runners.length > 0 ? cfg.gitlab.runnerHostRoles : [];
}

/**
 * SSH connection per runner host for the HUT slot commands: the WireGuard address when the runner has
 * a peer (reachable from anywhere on the mesh), else the instance's IPv4 (reachable from the LXD
 * host's network), else its name (LXD's DNS on the bridge); and the runner's SSH user.
 */
export function runnerHostConnections(hosts: RunnerHost[]): Record<string, { host: pulumi.Output<string>; user: pulumi.Output<string> }> {
  return Object.fromEntries(
    hosts.map((host) => [
      host.hostName,
      { host: pulumi.all([host.wireguardAddress, host.ipv4]).apply(([wg, ip]) => wg ?? ip ?? host.hostName), user: host.sshUser },
    ]),
  );
}
