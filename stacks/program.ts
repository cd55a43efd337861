import { AwsConsole } from "../components/aws/console.ts";
import { CiIdentity } from "../components/ci/identity.ts";
import type { TagContext } from "../components/component.ts";
import { GcpConsole } from "../components/gcp/console.ts";
import { RoleRepos } from "../components/gitlab/role-repos.ts";
import { declareHutSlots } from "../components/hut/slots.ts";
import { artifactStore, artifactStoreUrl } from "./artifacts.ts";
import { agentFleet } from "./fleet.ts";
import { gcpProjectApis } from "./gcp-apis.ts";
import { repositoryGovernance } from "./github.ts";
import { runnerHostConnections, runnerHostRoles, runnerHosts } from "./runner-hosts.ts";
import { wireGuardHub } from "./wireguard.ts";
import type { StackConfig } from "./config/index.ts";
import type { StackOutputs } from "./outputs.ts";

/**
 * Composition only: which components exist for this stack and how they are wired.
 * Each component gets its config section and the outputs of the components it depends on.
 */
export async function program(cfg: StackConfig): Promise<StackOutputs> {
  const tags: TagContext = { environment: cfg.environment, stack: cfg.stack, extra: cfg.tags };

  // Cloud consoles and the keyless CI identity that deploys them.
  const awsConsoleCfg = cfg.console.aws.enabled ? cfg.console.aws : undefined;
  const gcpConsoleCfg = cfg.console.gcp.enabled ? cfg.console.gcp : undefined;
  const gcpApis = gcpProjectApis(cfg, tags);
  const ci = cfg.ci.enabled
    ? new CiIdentity("ci", {
        tags,
        settings: cfg.ci,
        project: cfg.project,
        awsConsole: awsConsoleCfg && { region: awsConsoleCfg.region, hostedZoneId: awsConsoleCfg.hostedZoneId },
        gcpApis: cfg.ci.gcp.project ? gcpApis.get(cfg.ci.gcp.project) : undefined,
        gcpConsole: gcpConsoleCfg && { invokerIamDisabled: !gcpConsoleCfg.access.enabled },
      })
    : undefined;

  // The firmware artifact store: builds by commit SHA, written by the upstream lane, read by the runners.
  const artifacts = artifactStore(cfg, tags, ci, gcpApis);

  // The repository's protection, deploy environments and their variables (from the CI identity).
  repositoryGovernance(cfg, tags, ci?.outputs());

  // The WireGuard mesh; runner hosts join with wireguard?.addPeer(name, { kind: "runner" }, opts).
  const wireguard = wireGuardHub(cfg, tags);

  // GitLab role repositories, role tokens and one CI runner per HUT slot label; the tokens of the
  // roles whose agents live on the runner hosts rotate in two phases around their delivery.
  const deliveredRoles = runnerHostRoles(cfg);
  const repos =
    cfg.gitlab.enabled && cfg.secrets.gitlabToken
      ? new RoleRepos("gitlab", {
          tags,
          gitlab: cfg.gitlab,
          token: cfg.secrets.gitlabToken,
          slotLabels: cfg.hut.enabled ? cfg.hut.slots.map((s) => s.label) : [],
          stack: cfg.stack,
          hardwareLane:
            cfg.hut.enabled && cfg.hut.lane && cfg.secrets.laneGithubStatusToken && cfg.secrets.laneRunnerApiToken
              ? {
                  slots: cfg.hut.slots,
                  lane: cfg.hut.lane,
                  hutCommand: cfg.hut.hutCommand,
                  variables: { githubStatusToken: cfg.secrets.laneGithubStatusToken, runnerApiToken: cfg.secrets.laneRunnerApiToken },
                }
              : undefined,
          deliveredRoles,
        })
      : undefined;

  // LXD runner hosts: each joins the mesh as a runner peer when configured so, and gets its HUT
  // slots' inventory, a gitlab-runner config with their runner tokens and the delivered role env files.
  const hosts = runnerHosts(cfg, tags, wireguard, repos);
  // the old role tokens are revoked only after every runner host has the new one
  repos?.retireAfterDelivery(Object.fromEntries(deliveredRoles.map((r) => [r, hosts.flatMap((h) => h.roleCredentials[r]?.sha256 ?? [])])));

  // HUT slots reach their runner over SSH at the address the RunnerHost reports.
  const runnerHostsByName = runnerHostConnections(hosts);
  const hutSlots = cfg.hut.enabled
    ? declareHutSlots({ ...cfg.hut, artifactStore: artifactStoreUrl(cfg), runners: runnerHostsByName, haToken: cfg.secrets.haToken, runnerSshKey: cfg.secrets.runnerSshKey, tags })
    : [];

  // The agent fleet: the mesh's `agent` peers, updated in batches over SSH through the mesh.
  const fleet = agentFleet(cfg, tags, wireguard);

  const outputs: StackOutputs = { environment: cfg.environment, simulated: cfg.simulated, slots: hutSlots.map((s) => s.outputs()), ...wireguard?.outputs() };
  if (hosts.length > 0) outputs.runners = Object.fromEntries(hosts.map((h) => [h.hostName, h.outputs()]));
  if (ci) outputs.ci = ci.outputs();
  if (artifacts) outputs.artifacts = artifacts.outputs();
  if (awsConsoleCfg) outputs.consoleAws = new AwsConsole("console-aws", { tags, settings: awsConsoleCfg, oidcClientSecret: cfg.secrets.awsOidcClientSecret }).outputs();
  if (gcpConsoleCfg) {
    outputs.consoleGcp = new GcpConsole("console-gcp", {
      tags,
      settings: gcpConsoleCfg,
      apis: gcpApis.get(gcpConsoleCfg.project)!,
      deployers: ci?.gcpDeployers(),
      iapClientSecret: cfg.secrets.gcpIapClientSecret,
    }).outputs();
  }
  if (repos) Object.assign(outputs, repos.outputs());
  if (fleet) outputs.fleet = fleet.outputs();
  return outputs;
}
