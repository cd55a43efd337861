import type * as pulumi from "@pulumi/pulumi";

/** One row of the slot table exported by every stack. */
export interface SlotRow {
  id: string;
  label: string;
  runner: string;
  serialById: string;
  relayEntity: string;
  chip: string;
}

/** The stack outputs. Sections that are off export nothing. */
export interface StackOutputs {
  environment: string;
  slots: SlotRow[];
  [key: string]: pulumi.Input<unknown>;
}
