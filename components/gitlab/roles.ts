/**
 * The GitLab role vocabulary: one repository per agent role on the lab's GitLab host. Owned by the
 * GitLab area; the settings schema (settings.ts), the components, the stack config section and the
 * tools all take the roles from here.
 */
export const ROLES = ["arch", "infra", "runner"] as const;
export type Role = (typeof ROLES)[number];

/** The role whose repository is the product repository, and the role that must never reach it. */
export const PRODUCT_ROLE = "arch" satisfies Role;
export const RESTRICTED_ROLE = "infra" satisfies Role;
/** The role whose repository holds the slot runners. */
export const RUNNER_ROLE = "runner" satisfies Role;
/** Every role repository uses this default branch. */
export const DEFAULT_BRANCH = "main";

export const TOKEN_SCOPES = [
  "api",
  "read_api",
  "read_repository",
  "write_repository",
  "read_registry",
  "write_registry",
  "create_runner",
  "manage_runner",
  "self_rotate",
] as const;

/** GitLab role numbers for project access tokens (`access_level`). */
export const ACCESS_LEVELS = { guest: 10, reporter: 20, developer: 30, maintainer: 40 } as const;
