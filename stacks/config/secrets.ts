/**
 * Secrets live in their own top-level keys (never nested in a section), so that sections stay
 * plain data and every secret is read with `getSecret` into a secret Output end to end.
 * `required` says when a key must be set, given the parsed (non-secret) config.
 */
import type { StackConfigData } from "./schema.ts";

export interface SecretKeySpec {
  description: string;
  required: (cfg: StackConfigData) => string | undefined;
}

export const SECRET_KEYS = {
  gitlabToken: {
    description: "GitLab token that manages the role repositories (api scope)",
    required: (c) => (c.gitlab.enabled ? "gitlab is enabled" : undefined),
  },
  githubToken: {
    description: "GitHub token that manages the repository's branch protection, environments and variables (fine-grained: Administration, Environments, Variables read/write)",
    required: (c) => (c.github.enabled ? "github is enabled" : undefined),
  },
  haToken: {
    description: "Home Assistant long-lived access token for relay power-cycling",
    required: (c) => (c.hut.enabled && c.hut.homeAssistant ? "hut.homeAssistant is set" : undefined),
  },
  wireguardSshKey: {
    description: "SSH private key (OpenSSH PEM) for the WireGuard hub's ssh transport",
    required: (c) =>
      c.wireguard.enabled && c.wireguard.hub.transport.kind === "ssh" ? "wireguard.hub.transport.kind is ssh" : undefined,
  },
  lxdClientKey: {
    description: "private key of the LXD client certificate for https remotes",
    required: (c) =>
      c.lxd.enabled && Object.values(c.lxd.remotes).some((r) => r.kind === "https") ? "an lxd remote uses https" : undefined,
  },
  runnerSshKey: {
    description: "SSH private key the hut command resources use to reach runner hosts",
    required: (c) =>
      c.hut.enabled && c.hut.slots.some((s) => s.runner !== "local") ? "a hut slot runs on a remote runner" : undefined,
  },
  awsOidcClientSecret: {
    description: "OAuth client secret of the AWS console's ALB authenticate-oidc action",
    required: (c) => (c.console.aws.enabled && c.console.aws.access.enabled ? "console.aws.access.enabled is true" : undefined),
  },
  gcpIapClientSecret: {
    description: "OAuth client secret of the GCP console's IAP (only with console.gcp.access.oauth2ClientId)",
    required: (c) =>
      c.console.gcp.enabled && c.console.gcp.access.enabled && c.console.gcp.access.oauth2ClientId ? "console.gcp.access.oauth2ClientId is set" : undefined,
  },
  laneGithubStatusToken: {
    description: "GitHub token the hardware lane sets commit statuses with (fine-grained: Commit statuses read/write on hut.lane.productRepository); the runner repository's masked, protected CI/CD variable LABFLEET_GITHUB_STATUS_TOKEN",
    required: (c) => (c.gitlab.enabled && c.hut.enabled && c.hut.lane ? "hut.lane is set" : undefined),
  },
  laneRunnerApiToken: {
    description: "GitLab token with manage_runner scope the health job pauses and resumes its slot's runner with; the runner repository's masked, protected CI/CD variable LABFLEET_RUNNER_API_TOKEN",
    required: (c) => (c.gitlab.enabled && c.hut.enabled && c.hut.lane ? "hut.lane is set" : undefined),
  },
  fleetSshKey: {
    description: "SSH private key the agent fleet logs in to the agents with (over the WireGuard mesh)",
    required: (c) => (c.fleet.enabled ? "fleet is enabled" : undefined),
  },
} satisfies Record<string, SecretKeySpec>;

export type SecretKey = keyof typeof SECRET_KEYS;
export const SECRET_KEY_NAMES = Object.keys(SECRET_KEYS) as SecretKey[];
