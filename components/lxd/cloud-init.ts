import { stringify } from "yaml";

/**
 * The runner baseline as cloud-config (user-data): the tools a CI job needs (git, openssh, curl,
 * jq, python3, Docker engine + buildx + compose from the Ubuntu archive), Node from the snap
 * store for the `hut` CLI (Ubuntu 24.04's own nodejs is 18, `hut` needs ≥ 20), and the runner
 * user with the operator's SSH key. The SSH key goes into user-data (works on LXD 5.0 LTS;
 * `cloud-init.ssh-keys.*` needs LXD ≥ 5.21).
 */

export interface RunnerCloudInit {
  sshUser: string;
  sshPublicKey: string;
  /** snap channel of Node, e.g. `20/stable`. */
  nodeChannel: string;
  /** npm package spec installed globally for the `hut` CLI; omitted = not installed here. */
  hutPackage?: string;
  /** wg-quick config for the VM's WireGuard peer (secret: contains the private key). */
  wireguardConfig?: string;
  /** wg-quick interface name for `wireguardConfig`. */
  wireguardInterface?: string;
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
  const wgIf = c.wireguardInterface ?? "labfleet";
  const packages: string[] = [...BASE_PACKAGES, ...(c.wireguardConfig ? ["wireguard-tools"] : [])];
  const runcmd: string[][] = [
    ["systemctl", "enable", "--now", "docker"],
    ["usermod", "-aG", "docker", c.sshUser],
    ["snap", "install", "node", "--classic", `--channel=${c.nodeChannel}`],
  ];
  if (c.hutPackage) runcmd.push(["/snap/bin/npm", "install", "--global", c.hutPackage]);
  if (c.wireguardConfig) runcmd.push(["systemctl", "enable", "--now", `wg-quick@${wgIf}`]);

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
  if (c.wireguardConfig) {
    doc.write_files = [{ path: `/etc/wireguard/${wgIf}.conf`, owner: "root:root", permissions: "0600", content: c.wireguardConfig }];
  }
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
