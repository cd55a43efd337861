import type * as pulumi from "@pulumi/pulumi";
import type { SlotRecord } from "../components/hut/hut-slot.ts";

/** One row of the slot table exported by every stack. */
export type SlotRow = SlotRecord;

/** The stack outputs. Sections that are off export nothing. */
export interface StackOutputs {
  environment: string;
  /** labfleet:simulated: the hardware behind this stack is the simulated lab (`npm run lab`). */
  simulated: boolean;
  slots: SlotRow[];
  [key: string]: pulumi.Input<unknown>;
}
