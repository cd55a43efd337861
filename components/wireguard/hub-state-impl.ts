import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { TransportSpec, type Transport, withTransport } from "./transport.ts";
import { checkInputs, plain, withoutProvider } from "../dynamic-inputs.ts";
import { hubIdentity } from "./wg.ts";

/**
 * WireGuardHubState provider logic: reads the live hub's public key and listen port with
 * `wg show <if> public-key|listen-port` through the transport. It never changes the hub
 * (the interface and its private key are provisioned on the hub host; see the runbook), and
 * delete only forgets it.
 */
export const HubStateInputs = z.strictObject({
  interface: z.string().regex(/^[a-zA-Z0-9_=+.-]{1,15}$/, "must be a Linux interface name (≤15 chars)"),
  transport: TransportSpec,
  sshPrivateKey: z.string().optional(),
  listenPort: z.number().int().min(1).max(65535),
});
export type HubStateInputs = z.output<typeof HubStateInputs>;

export type HubStateOutputs = HubStateInputs & {
  publicKey: string;
  observedListenPort: number;
  drift: string[];
};

function parse(news: Record<string, unknown>): HubStateInputs {
  const r = HubStateInputs.safeParse(withoutProvider(news));
  if (!r.success) throw new Error(`WireGuard hub: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

async function observe(p: HubStateInputs, t: Transport): Promise<HubStateOutputs> {
  const id = await hubIdentity(t, p.interface);
  const drift = id.listenPort === p.listenPort ? [] : [`hub ${p.interface} on ${t.target} listens on ${id.listenPort}, config says ${p.listenPort}`];
  return { ...p, publicKey: id.publicKey, observedListenPort: id.listenPort, drift };
}

export async function check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  return checkInputs(HubStateInputs, news, { label: "WireGuard hub" });
}

async function observeChecked(news: Record<string, unknown>): Promise<HubStateOutputs> {
  const p = parse(news);
  const outs = await withTransport(p.transport, p.sshPrivateKey, (t) => observe(p, t));
  if (outs.drift.length > 0) throw new Error(`${outs.drift.join("; ")} (labfleet:wireguard.hub.listenPort)`);
  return outs;
}

export async function create(news: Record<string, unknown>): Promise<{ id: string; outs: HubStateOutputs }> {
  const outs = await observeChecked(news);
  const t = outs.transport;
  return { id: `${t.kind === "local" ? `local:${t.netns ?? ""}` : `ssh:${t.host}:${t.port}`}/${outs.interface}`, outs: plain(outs) };
}

export async function read(id: string, props: HubStateOutputs) {
  const p = parse(Object.fromEntries(Object.keys(HubStateInputs.shape).map((k) => [k, (props as unknown as Record<string, unknown>)[k]])));
  const outs = await withTransport(p.transport, p.sshPrivateKey, (t) => observe(p, t));
  if (outs.publicKey !== props.publicKey) outs.drift.push(`hub public key changed: every peer's client config must be re-issued`);
  return { id, props: plain(outs), inputs: plain(p) };
}

export async function diff(_id: string, olds: HubStateOutputs, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const n = news as Partial<HubStateInputs>;
  const replaces: string[] = [];
  if (n.interface !== olds.interface) replaces.push("interface");
  if (JSON.stringify(n.transport) !== JSON.stringify(olds.transport)) replaces.push("transport");
  const changes = replaces.length > 0 || n.listenPort !== olds.listenPort || n.sshPrivateKey !== olds.sshPrivateKey || olds.drift.length > 0;
  return { changes, replaces, deleteBeforeReplace: false };
}

export async function update(_id: string, _olds: HubStateOutputs, news: Record<string, unknown>): Promise<{ outs: HubStateOutputs }> {
  return { outs: plain(await observeChecked(news)) };
}

export async function remove(): Promise<void> {}
export { remove as delete };
