import { stringify } from "yaml";

/**
 * The runner baseline as cloud-config (user-data): the tools a CI job needs (git, openssh, curl,
 * jq, python3, Docker engine + buildx + compose from the Ubuntu archive), Node from the snap
 * store for the `hut` CLI (Ubuntu 24.04's own nodejs is 18, `hut` needs ≥ 20), and the runner
 * user with the operator's SSH key. No secrets: user-data changes replace the instance, so the
 * WireGuard config (which rotates) is pushed as a file instead. The SSH key goes into user-data (works on LXD 5.0 LTS;
 * `cloud-init.ssh-keys.*` needs LXD ≥ 5.21).
 */

export interface RunnerCloudInit {
  sshUser: string;
  sshPublicKey: string;
  /** snap channel of Node, e.g. `20/stable`. */
  nodeChannel: string;
  /** npm package spec installed globally for the `hut` CLI; omitted = not installed here. */
  hutPackage?: string;
  /** Install wireguard-tools (the peer's config is pushed later, see RunnerVm). */
  wireguard?: boolean;
}

export const BASE_PACKAGES = [
  "ca-certificates",
  "curl",
  "docker-buildx",
  "docker-compose-v2",
  "docker.io",
  "git",
  "jq",
  "openssh-server",
  "python3",
] as const;

export function runnerCloudConfig(c: RunnerCloudInit): string {
  const packages: string[] = [...BASE_PACKAGES, ...(c.wireguard ? ["wireguard-tools"] : [])];
  const runcmd: string[][] = [
    ["systemctl", "enable", "--now", "docker"],
    ["usermod", "-aG", "docker", c.sshUser],
    ["snap", "install", "node", "--classic", `--channel=${c.nodeChannel}`],
  ];
  if (c.hutPackage) runcmd.push(["/snap/bin/npm", "install", "--global", c.hutPackage]);

  const doc: Record<string, unknown> = {
    package_update: true,
    packages,
    ssh_pwauth: false,
    users: [
      "default",
      {
        name: c.sshUser,
        gecos: "labfleet CI runner",
        shell: "/bin/bash",
        groups: ["dialout", "plugdev"],
        lock_passwd: true,
        ssh_authorized_keys: [c.sshPublicKey],
      },
    ],
    runcmd,
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
