import { z } from "zod";
import { registerSection } from "../section.ts";

export const ROLES = ["arch", "infra", "runner"] as const;

export const RoleRepo = z.strictObject({
  path: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
  existing: z.boolean().default(false).describe("adopt and never delete (the product repo)"),
  tokenScopes: z.array(z.enum(["api", "read_api", "read_repository", "write_repository", "create_runner", "manage_runner"])).min(1).default(["read_repository", "write_repository"]),
  accessLevel: z.enum(["guest", "reporter", "developer", "maintainer"]).default("developer"),
});

export const GitlabBody = z.strictObject({
  url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }).describe("GitLab base URL (HTTPS only)"),
  group: z.string().min(1).describe("namespace that holds the role repositories"),
  roles: z.strictObject({ arch: RoleRepo, infra: RoleRepo, runner: RoleRepo }),
  tokenLifetimeDays: z.number().int().min(1).max(365).default(90),
  rotateBeforeDays: z.number().int().min(1).default(14),
});
export const Gitlab = registerSection("gitlab", GitlabBody);
