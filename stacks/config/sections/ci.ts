import { z } from "zod";
import { registerSection } from "../section.ts";

/** `labfleet:ci` — keyless CI identity: GitHub OIDC → AWS roles, WIF → GCP service accounts. */
export const CiBody = z.strictObject({
  github: z.strictObject({
    owner: z.string().min(1).describe("GitHub organisation or user"),
    repo: z.string().min(1).describe("repository name"),
    ownerId: z.string().regex(/^\d+$/, "must be the numeric GitHub owner id").optional().describe("numeric owner id (GCP attribute condition)"),
  }),
  environments: z.array(z.string().min(1)).min(1).default(["staging", "production"]).describe("GitHub environments that may deploy"),
  aws: z.boolean().default(true).describe("create the AWS OIDC provider and roles"),
  gcp: z.boolean().default(false).describe("create the Workload Identity pool, provider and service accounts"),
});
export const Ci = registerSection("ci", CiBody);
