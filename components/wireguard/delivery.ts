import { LxdClient } from "../lxd/client.ts";
import { putFile } from "../lxd/instance-file-impl.ts";
import { shellQuote } from "../shell.ts";
import { connectSsh, sshExec } from "../ssh.ts";
import type { DeliverySpec } from "./peer-schema.ts";
import { type SwitchPlan, installArgv, newConfigPath, writeNewConfigArgv } from "./rotation-script.ts";

/**
 * Delivers a rotated key to its peer (docs/design/wireguard.md, "Key rotation"): the new wg-quick
 * config lands next to the old one (0600) and the peer's switch is scheduled (rotation-script.ts).
 * `ssh`: through the mesh (the old tunnel) with the fleet's SSH access; `lxd`: the file pushed
 * into the runner host's instance through the LXD file API and the install run with LXD exec.
 * Returns once the switch is scheduled; rejects with a message naming the peer, never the key.
 */
export async function deliver(peer: string, d: DeliverySpec, key: string | undefined, clientConfig: string, plan: SwitchPlan): Promise<void> {
  try {
    if (d.kind === "ssh") await overSsh(peer, d, key, clientConfig, plan);
    else await overLxd(d, key, clientConfig, plan);
  } catch (err) {
    throw new Error(`cannot deliver the new key of peer ${JSON.stringify(peer)} (${where(d)}): ${(err as Error).message}`);
  }
}

export function where(d: DeliverySpec): string {
  return d.kind === "ssh" ? `ssh ${d.user}@${d.host}:${d.port}` : `instance ${d.instance} over LXD`;
}

async function overSsh(peer: string, d: Extract<DeliverySpec, { kind: "ssh" }>, key: string | undefined, clientConfig: string, plan: SwitchPlan): Promise<void> {
  if (!key) throw new Error("no SSH key (the secret labfleet:fleetSshKey)");
  const client = await connectSsh({
    host: d.host,
    port: d.port,
    user: d.user,
    privateKey: key,
    readyTimeoutMs: d.connectTimeoutSeconds * 1000,
    role: `peer ${peer}`,
    presenter: "the peer",
  });
  try {
    const run = async (argv: string[], stdin: string, what: string) => {
      const r = await sshExec(client, argv.map(shellQuote).join(" "), { stdin, timeoutMs: 30_000, label: what });
      if (r.code !== 0) throw new Error(`${what} exited ${r.code ?? r.signal}: ${r.stderr.trim().split("\n").slice(-2).join(" / ")}`);
    };
    await run(writeNewConfigArgv(plan), clientConfig, "writing the new config");
    await run(installArgv(plan), "", "scheduling the switch");
  } finally {
    client.end();
  }
}

async function overLxd(d: Extract<DeliverySpec, { kind: "lxd" }>, key: string | undefined, clientConfig: string, plan: SwitchPlan): Promise<void> {
  const client = new LxdClient({ remote: d.remote, clientKey: key });
  await putFile(client, d.instance, { path: newConfigPath(plan), content: clientConfig, mode: "0600", uid: 0, gid: 0 });
  let r: Awaited<ReturnType<LxdClient["exec"]>>;
  try {
    r = await client.exec(d.instance, installArgv(plan), { timeoutSeconds: 30 });
  } catch (err) {
    // LXD's message carries the whole command line (the scripts); keep what the daemon said.
    throw new Error(`scheduling the switch failed: ${(err as Error).message.replace(/^exec ".*" in /s, "exec in ")}`);
  }
  if (r.exitCode !== 0) throw new Error(`scheduling the switch exited ${r.exitCode}: ${r.stderr.trim().split("\n").slice(-2).join(" / ")}`);
}
