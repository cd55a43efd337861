/** Names that identify labfleet's GitLab objects (and let a create find what it made before). */

/** Ownership marker in a project description: "… managed by Pulumi stack <name>". */
export const ownerMarker = (stack: string) => `managed by Pulumi stack ${stack}`;
export const OWNER_MARKER = /managed by Pulumi stack (\S+)/;

/** Project access token name of a role (unique per stack, so stacks never adopt each other's). */
export const tokenName = (stack: string, role: string) => `labfleet-${stack}-${role}`;

/** Runner description: `<prefix>:<stack>:<label>` — identifies the runner of a slot. */
export const runnerDescription = (prefix: string, stack: string, label: string) => `${prefix}:${stack}:${label}`;

/** labfleet talks to GitLab and clones over HTTPS only; plain http is accepted for loopback test doubles. */
export function httpsOrLoopback(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "https:" || (u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname));
}
