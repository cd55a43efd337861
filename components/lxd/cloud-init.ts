import { stringify } from "yaml";
import { GITLAB_RUNNER_DIR, HUT_INVENTORY_PATH, PROFILE_HUT_ENV, SSHD_HUT_DROP_IN, sshdHutDropIn } from "./host-files.ts";

/**
 * The runner baseline as cloud-config (user-data).
 * Design notes: docs/design/lxd.md ("components/lxd/cloud-init.ts").
 */

export interface RunnerHostCloudInit {
  sshUser: string;
  sshPublicKey: string;
  /** snap channel of Node, e.g. `20/stable`. */
  nodeChannel: string;
  /** npm package spec installed globally for the `hut` CLI; omitted = not installed here. */
  hutPackage?: string;
  /** Install wireguard-tools (the peer's config is pushed later, see RunnerHost). */
  wireguard?: boolean;
  /** Fingerprint of GitLab's package repository signing key (40 hex digits). */
  gitlabRunnerAptKey: string;
}

/** GitLab's gitlab-runner apt repository; `$RELEASE` and `$KEY_FILE` are filled in by cloud-init. */
export const GITLAB_RUNNER_APT_SOURCE = "deb [signed-by=$KEY_FILE] https://packages.gitlab.com/runner/gitlab-runner/ubuntu/ $RELEASE main";
/** GitLab B.V. package repository signing key (GitLab's "Linux package signatures" page). */
export const GITLAB_APT_KEY_FINGERPRINT = "F6403F6544A38863DAA0B6E03F01618A51312F3F";

/** The esptool `hut flash` uses on a runner (pinned; PyPI, so the same release on every runner). */
export const RUNNER_ESPTOOL = "esptool==5.6.0";
export const ESPTOOL_VENV = "/opt/esptool";

export const BASE_PACKAGES = [
  "ca-certificates",
  "curl",
  "docker-buildx",
  "docker-compose-v2",
  "docker.io",
  "git",
  "gitlab-runner",
  "jq",
  "openssh-server",
  "python3",
  "python3-venv",
] as const;

export function runnerCloudConfig(c: RunnerHostCloudInit): string {
  const packages: string[] = [...BASE_PACKAGES, ...(c.wireguard ? ["wireguard-tools"] : [])];
  const hutEnv = `HUT_INVENTORY=${HUT_INVENTORY_PATH}`;
  const runcmd: string[][] = [
    ["systemctl", "enable", "--now", "docker"],
    ["usermod", "-aG", "docker", c.sshUser],
    ["python3", "-m", "venv", ESPTOOL_VENV],
    [`${ESPTOOL_VENV}/bin/pip`, "install", "--disable-pip-version-check", RUNNER_ESPTOOL],
    ["ln", "-sf", `${ESPTOOL_VENV}/bin/esptool`, "/usr/local/bin/esptool"],
    ["snap", "install", "node", "--classic", `--channel=${c.nodeChannel}`],
    ...(c.hutPackage ? [["/snap/bin/npm", "install", "--global", c.hutPackage]] : []),
    // the drop-in is written before sshd may have started; a running sshd re-reads it here
    ["sh", "-c", "sshd -t && systemctl try-reload-or-restart ssh.service"],
    // jobs run as gitlab-runner: the slots' serial adapters need dialout/plugdev
    ["usermod", "-aG", "dialout,plugdev", "gitlab-runner"],
    // config.toml (secret, pushed by RunnerHost) lives in a root-only directory
    ["install", "-d", "-m", "0700", "-o", "root", "-g", "root", GITLAB_RUNNER_DIR],
  ];

  const doc: Record<string, unknown> = {
    package_update: true,
    apt: { sources: { "gitlab-runner": { source: GITLAB_RUNNER_APT_SOURCE, keyid: c.gitlabRunnerAptKey } } },
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
    write_files: [
      { path: SSHD_HUT_DROP_IN, owner: "root:root", permissions: "0644", content: sshdHutDropIn() },
      { path: PROFILE_HUT_ENV, owner: "root:root", permissions: "0644", content: `export ${hutEnv}\n` },
      // pam_env: every SSH session, login shell or not
      { path: "/etc/environment", append: true, content: `${hutEnv}\n` },
    ],
    runcmd,
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
