import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { LxdClient } from "../../components/lxd/client.ts";
import * as impl from "../../components/lxd/instance-impl.ts";
import { fmtMs, ratio } from "./measure.ts";

/**
 * On the real daemon (tools/setup/prereqs-lxd.sh): what a change costs when LXD can apply it
 * live (PUT with If-Match) versus a replace-only key (stop + delete + create + readiness), and
 * how long create → ready takes. Medians of 3; instances are named per run and removed.
 */
const SOCKET = process.env.LABFLEET_LXD_SOCKET ?? "/var/lib/lxd/unix.socket";
const IMAGE = process.env.LABFLEET_LXD_IMAGE ?? "labfleet-runner";
const RUNS = 3;

type Props = Record<string, unknown>;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

export default async function bench(): Promise<void> {
  if (!existsSync(SOCKET)) {
    process.stdout.write(`lxd: skipped, no LXD socket at ${SOCKET} (run tools/setup/prereqs-lxd.sh as root)\n`);
    return;
  }
  const remote = { kind: "unix" as const, socket: SOCKET, project: "default" };
  const client = new LxdClient({ remote });
  const name = `lfb-${randomBytes(3).toString("hex")}`;
  const inputs = (memory: string, userData: string): Props => ({
    remote,
    name,
    type: "container",
    image: { alias: IMAGE },
    limits: { cpu: 1, memory },
    config: { "cloud-init.user-data": userData },
    readiness: { timeoutSeconds: 60, cloudInit: true },
    stopTimeoutSeconds: 5,
  });
  const check = async (p: Props) => ((await impl.check({}, p)) as { inputs: Props }).inputs;

  const creates: number[] = [];
  const updates: number[] = [];
  const replaces: number[] = [];
  try {
    let outs: Props | undefined;
    for (let i = 0; i < RUNS; i++) {
      const [tc, created] = await timed(async () => impl.create(await check(inputs("256MiB", "#cloud-config\n{}\n"))));
      creates.push(tc);
      outs = created.outs as unknown as Props;
      // live-updatable key: in place
      const next = await check(inputs(i % 2 ? "256MiB" : "192MiB", "#cloud-config\n{}\n"));
      if ((await impl.diff(name, outs, next)).replaces.length !== 0) throw new Error("expected an in-place update");
      const [tu, updated] = await timed(() => impl.update(name, outs as Props, next));
      updates.push(tu);
      outs = updated.outs as unknown as Props;
      // replace-only key (cloud-init user-data): delete before replace, then create and wait
      const repl = await check(inputs("192MiB", `#cloud-config\n# run ${i}\n{}\n`));
      if ((await impl.diff(name, outs, repl)).replaces.length === 0) throw new Error("expected a replacement");
      const [tr, replaced] = await timed(async () => {
        await impl.delete(name, outs as Props);
        return impl.create(repl);
      });
      replaces.push(tr);
      outs = replaced.outs as unknown as Props;
      await impl.delete(name, outs);
      outs = undefined;
    }
  } finally {
    await impl.stopAndDelete(client, name, 0, 60).catch(() => undefined);
  }
  const [c, u, r] = [median(creates), median(updates), median(replaces)];
  process.stdout.write(`lxd: create → ready (container, cloud-init stand-in): ${fmtMs(c)}\n`);
  process.stdout.write(`lxd: change limits.memory in place ${fmtMs(u)} vs replace for a cloud-init key ${fmtMs(r)} = ${ratio(r, u)} slower to replace\n`);
}
