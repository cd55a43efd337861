import type * as pulumi from "@pulumi/pulumi";

/**
 * How HutSlot reaches a runner host over SSH. The LXD `RunnerHost` component provides these as
 * outputs (address and user); the private key is the `runnerSshKey` secret. The runner's sshd
 * must `AcceptEnv HA_URL HA_TOKEN` for the power-cycle command's environment to arrive.
 */
export interface RunnerHostConnection {
  host: pulumi.Input<string>;
  user: pulumi.Input<string>;
  port?: pulumi.Input<number>;
}
