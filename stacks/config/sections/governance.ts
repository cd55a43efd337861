import { z } from "zod";

/** `labfleet:governance` — policy inputs that the stack carries. */
export const Governance = z
  .strictObject({
    approvalsFile: z.string().optional().describe("approvals file for the approval gate (default policies/approvals/<stack>.json)"),
    minBackupDays: z.number().int().min(1).default(7).describe("minimum database backup retention the policies accept"),
    requiredTags: z.array(z.string()).default(["environment", "component", "managed-by"]).describe("tags every taggable resource carries"),
    keyMaxAgeDays: z.number().int().positive().default(90).describe("WireGuard key age before the advisory rule fires"),
  })
  .prefault({});
