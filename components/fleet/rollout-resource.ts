import type * as pulumi from "@pulumi/pulumi";
import { type ArgsOf, DynamicResource, dynamicKind } from "../dynamic.ts";
import type * as impl from "./rollout-impl.ts";
import type { RolloutInputs } from "./rollout-impl.ts";

/**
 * `FleetRollout`: the fleet's rolling update over SSH through the mesh as one dynamic resource
 * (logic in `rollout-impl.ts`, shared with `fleet rollout`). One resource rather than one per
 * host: the failure budget and the rollback span batches, which per-host resources and their
 * dependency graph cannot express (docs/design/fleet.md). `privateKey` is a secret output.
 */
export const fleetRolloutKind = dynamicKind<typeof impl>({
  impl: "./components/fleet/rollout-impl.ts",
  module: "fleet",
  type: "FleetRollout",
  outputs: ["hostVersions", "rolledOutAt"],
  secretOutputs: ["privateKey"],
});

export type FleetRolloutArgs = ArgsOf<typeof RolloutInputs>;

export class FleetRollout extends DynamicResource {
  declare readonly hostVersions: pulumi.Output<Record<string, string | null>>;
  declare readonly rolledOutAt: pulumi.Output<string>;

  constructor(name: string, args: FleetRolloutArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(fleetRolloutKind, name, args, opts);
  }
}
