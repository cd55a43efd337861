/**
 * A test agent package and the fleet settings that install it: the package is a shell script
 * that reports its version and, on restart, appends to the agent's audit log. Its health check
 * fails for a version listed in the agent's `broken` file, so a test can break one host for one
 * version (and a rollback to the previous version passes).
 */
import { createHash } from "node:crypto";
import type { AgentLab } from "./agent-lab.ts";

export function agentScript(version: string): string {
  return [
    "#!/bin/sh",
    'case "$1" in',
    `  version) echo ${version} ;;`,
    `  restart) mkdir -p "$FLEET_STATE_DIR/../log" && echo "$(date -u +%FT%TZ) restarted ${version} as $(id -un)" >> "$FLEET_STATE_DIR/../log/audit.log" ;;`,
    "esac",
    "",
  ].join("\n");
}

export const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

/** Writes the package of `version` into the lab and returns its path and sha256. */
export function writePackage(lab: AgentLab, version: string): { path: string; sha256: string; version: string } {
  const text = agentScript(version);
  return { path: lab.file(`agent-${version}.pkg`, text), sha256: sha256(text), version };
}

export function fleetSettings(pkg: { path: string; sha256: string; version: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    package: { source: pkg.path, sha256: pkg.sha256, version: pkg.version },
    install: {
      command: 'mkdir -p "$FLEET_STATE_DIR/current" && cp "$FLEET_PACKAGE" "$FLEET_STATE_DIR/current/agent.sh"',
      service: "labfleet-agent",
      restartCommand: 'sh "$FLEET_STATE_DIR/current/agent.sh" restart',
    },
    health: {
      command: '! grep -qx "$FLEET_VERSION" "$FLEET_STATE_DIR/../broken" 2>/dev/null && test "$(sh "$FLEET_STATE_DIR/current/agent.sh" version)" = "$FLEET_VERSION"',
      timeoutSeconds: 3,
    },
    batch: 2,
    maxFailures: 0,
    ssh: { user: "root", port: 22, connectTimeoutSeconds: 5 },
    ...extra,
  };
}
