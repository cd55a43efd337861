import type * as pulumi from "@pulumi/pulumi";
import { DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./hut-action-impl.ts";

/** Secret outputs (the impl stays out of the program: it loads ssh2). */
export const ACTION_SECRET_OUTPUTS = ["environment", "connection"];

/**
 * `HutAction`: one run of a `hut` command for a slot (flash, power-cycle), here or on the slot's
 * runner host over SSH (dynamic provider; the logic is in `hut-action-impl.ts`). A change of
 * `argv`, `stdin`, `triggers` or the runner's host runs it again (replace); a change of only the
 * environment, the SSH key or how the image travels (`transfer`) is stored without a run. `environment` and `connection` (its
 * private key) are secret outputs.
 */
export const hutActionKind = dynamicKind<typeof impl>({
  impl: "./components/hut/hut-action-impl.ts",
  module: "hut",
  type: "HutAction",
  outputs: ["stdout", "stderr", "exitCode", "ranAt"],
  secretOutputs: ACTION_SECRET_OUTPUTS,
});

/** The runner host. `privateKey` may be missing here: check then names labfleet:runnerSshKey. */
export interface HutActionConnection {
  host: pulumi.Input<string>;
  user: pulumi.Input<string>;
  port?: pulumi.Input<number>;
  privateKey?: pulumi.Input<string>;
  /** Pinned host key (`ssh-ed25519 AAAA…` or SHA256:…); without one any host key is accepted. */
  hostKey?: pulumi.Input<string>;
}

export interface HutActionArgs {
  /** The hut command words, e.g. `["hut", "flash", "--inventory", "-", "--slot", "hut-01", …]`; no shell. */
  argv: pulumi.Input<pulumi.Input<string>[]>;
  /** Fed to the command's stdin (the slot's inventory document). */
  stdin?: pulumi.Input<string>;
  /** Any change runs the action again. */
  triggers?: pulumi.Input<unknown[]>;
  /** Environment of the command (secret); over SSH only HUT_REMOTE_ENV names (the runner's AcceptEnv). */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The runner host; absent = run on the host running Pulumi. */
  connection?: pulumi.Input<HutActionConnection>;
  /** Working directory of a local run (default: the project root). */
  cwd?: pulumi.Input<string>;
  /** Bound of one run (default 900). */
  timeoutSeconds?: pulumi.Input<number>;
  /**
   * A flash by commit (`--sha` in argv) whose build this host fetches and verifies, then copies
   * to the runner host; the runner flashes that file (`--firmware … --sha256 …`). A change is stored, never re-run.
   */
  transfer?: pulumi.Input<{ store: string; sha: string; chip: string }>;
}

export class HutAction extends DynamicResource {
  declare readonly stdout: pulumi.Output<string>;
  declare readonly stderr: pulumi.Output<string>;
  declare readonly exitCode: pulumi.Output<number>;
  declare readonly ranAt: pulumi.Output<string>;

  constructor(name: string, args: HutActionArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(hutActionKind, name, args, opts);
  }
}
