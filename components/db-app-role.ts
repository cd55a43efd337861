/**
 * The application's own PostgreSQL login on both consoles: never the master/built-in user (which
 * rotates, and owns everything), but a role that authenticates with a short-lived cloud IAM token
 * and holds only what the application needs in its database. The grants are applied by a
 * one-shot bootstrap (an ECS init container on AWS, a Cloud Run job on GCP) that logs in as the
 * administrative user; every statement is idempotent, so it runs on every start/deploy.
 * See docs/design/cloud.md ("Database logins").
 */

/** A PostgreSQL identifier, always double-quoted (GCP IAM user names contain `@`, `.` and `-`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export interface AppRoleGrant {
  /** The application's login role. */
  role: string;
  database: string;
  /** Create the role (AWS) instead of expecting it (GCP creates IAM users through its API). */
  create: boolean;
  /** Roles granted to it, e.g. `rds_iam` (the login then accepts only IAM tokens). */
  memberOf: string[];
}

/** The bootstrap's SQL: the role may connect to `database` and use and create in its public schema. */
export function appRoleSql(g: AppRoleGrant): string {
  const role = quoteIdent(g.role);
  const out: string[] = [];
  if (g.create) {
    out.push(`DO $bootstrap$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(g.role)}) THEN CREATE ROLE ${role} LOGIN; END IF; END $bootstrap$;`);
  }
  for (const m of g.memberOf) out.push(`GRANT ${quoteIdent(m)} TO ${role};`);
  out.push(`GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdent(g.database)} TO ${role};`);
  out.push(`GRANT USAGE, CREATE ON SCHEMA public TO ${role};`);
  return out.join("\n");
}

/** The psql invocation (no shell): stop at the first error, connection from PG* variables. */
export function bootstrapCommand(sql: string): string[] {
  return ["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", sql];
}

/** Where each cloud pulls the official PostgreSQL image from without credentials. */
const POSTGRES_REPOSITORIES = { aws: "public.ecr.aws/docker/library/postgres", gcp: "docker.io/library/postgres" } as const;

/** The official PostgreSQL client image matching the server's major version. */
export function postgresClientImage(cloud: keyof typeof POSTGRES_REPOSITORIES, major: string): string {
  return `${POSTGRES_REPOSITORIES[cloud]}:${major}-alpine`;
}
