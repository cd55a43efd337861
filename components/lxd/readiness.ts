import { LxdInstanceState, STATUS } from "./api.ts";
import { type LxdClient, LxdError } from "./client.ts";

/**
 * Readiness of a freshly started instance, in stages, under one time budget:
 *   running → agent (VMs: state `processes` ≥ 0) → ipv4 → cloud-init (`cloud-init status --wait`
 *   through the exec API with record-output).
 * A stage that does not finish in time raises `ReadinessError` naming the stage.
 */

export type ReadinessStage = "running" | "agent" | "ipv4" | "cloud-init";

export interface ReadinessPlan {
  timeoutSeconds: number;
  agent: boolean;
  ipv4: boolean;
  cloudInit: boolean;
}

export type CloudInitResult = "done" | "degraded" | "skipped";

export interface ReadyInstance {
  state: LxdInstanceState;
  ipv4: string | undefined;
  cloudInit: CloudInitResult;
  /** Seconds each stage took, in order. */
  stages: { stage: ReadinessStage; seconds: number }[];
}

export class ReadinessError extends Error {
  readonly stage: ReadinessStage;
  readonly timedOut: boolean;
  constructor(stage: ReadinessStage, timedOut: boolean, message: string) {
    super(message);
    this.name = "ReadinessError";
    this.stage = stage;
    this.timedOut = timedOut;
  }
}

export interface ReadinessClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: ReadinessClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

const POLL_MS = 1000;

/** The first global IPv4 address of a non-loopback interface (eth0 first). */
export function firstIpv4(state: LxdInstanceState): string | undefined {
  const nets = Object.entries(state.network ?? {}).filter(([name]) => name !== "lo");
  nets.sort(([a], [b]) => (a === "eth0" ? -1 : b === "eth0" ? 1 : a.localeCompare(b)));
  for (const [, net] of nets) {
    const addr = (net.addresses ?? []).find((a) => a.family === "inet" && a.scope === "global");
    if (addr) return addr.address;
  }
  return undefined;
}

export async function readState(client: LxdClient, name: string): Promise<LxdInstanceState> {
  return (await client.get(`/1.0/instances/${encodeURIComponent(name)}/state`, LxdInstanceState)).value;
}

export async function waitReady(client: LxdClient, name: string, plan: ReadinessPlan, clock: ReadinessClock = realClock): Promise<ReadyInstance> {
  const start = clock.now();
  const deadline = start + plan.timeoutSeconds * 1000;
  const stages: ReadyInstance["stages"] = [];
  let stageStart = start;
  const done = (stage: ReadinessStage) => {
    const t = clock.now();
    stages.push({ stage, seconds: Math.round((t - stageStart) / 100) / 10 });
    stageStart = t;
  };
  const where = `instance "${name}" on ${client.where}`;
  const timeout = (stage: ReadinessStage, detail: string) =>
    new ReadinessError(
      stage,
      true,
      `${where} is not ready: stage "${stage}" timed out (readiness.timeoutSeconds=${plan.timeoutSeconds}, ${Math.round((clock.now() - stageStart) / 1000)}s in this stage): ${detail}`,
    );

  /** Polls the state until `ok` holds; throws a stage timeout with `detail(last)` otherwise. */
  const poll = async (
    stage: ReadinessStage,
    ok: (s: LxdInstanceState) => boolean,
    detail: (s: LxdInstanceState) => string,
    last?: LxdInstanceState,
  ) => {
    if (last && ok(last)) return last;
    for (;;) {
      const s = await readState(client, name);
      if (stage !== "running" && s.status_code !== STATUS.running) {
        throw new ReadinessError(stage, false, `${where} stopped (status ${s.status}) while waiting for stage "${stage}"`);
      }
      if (ok(s)) return s;
      if (clock.now() + POLL_MS > deadline) throw timeout(stage, detail(s));
      await clock.sleep(POLL_MS);
    }
  };

  let state = await poll(
    "running",
    (s) => s.status_code === STATUS.running,
    (s) => `status is ${s.status}`,
  );
  done("running");

  if (plan.agent) {
    state = await poll(
      "agent",
      (s) => s.processes >= 0,
      (s) => `the LXD agent is not answering (state.processes=${s.processes}); is lxd-agent in the image?`,
      state,
    );
    done("agent");
  }

  let ipv4 = firstIpv4(state);
  if (plan.ipv4) {
    state = await poll(
      "ipv4",
      (s) => firstIpv4(s) !== undefined,
      () => "no global IPv4 address on any interface (is the instance on a network with DHCP?)",
      state,
    );
    ipv4 = firstIpv4(state);
    done("ipv4");
  }

  let cloudInit: CloudInitResult = "skipped";
  if (plan.cloudInit) {
    const remaining = Math.floor((deadline - clock.now()) / 1000);
    if (remaining <= 0) throw timeout("cloud-init", "no time left for cloud-init");
    let r: Awaited<ReturnType<LxdClient["exec"]>>;
    try {
      r = await client.exec(name, ["cloud-init", "status", "--wait", "--long"], { timeoutSeconds: remaining });
    } catch (err) {
      if (err instanceof LxdError && err.kind === "timeout") {
        throw timeout("cloud-init", "`cloud-init status --wait` did not finish");
      }
      throw new ReadinessError("cloud-init", false, `${where}: running \`cloud-init status --wait\` failed: ${(err as Error).message}`);
    }
    if (r.exitCode === 0) cloudInit = "done";
    else if (r.exitCode === 2) cloudInit = "degraded";
    else if (r.exitCode === 127 || r.exitCode === 126) {
      throw new ReadinessError(
        "cloud-init",
        false,
        `${where}: cloud-init is not available in the image (exit ${r.exitCode}); use an image with cloud-init or set readiness.cloudInit=false`,
      );
    } else {
      const out = tail(`${r.stdout}\n${r.stderr}`);
      throw new ReadinessError("cloud-init", false, `${where}: cloud-init finished with an error (exit ${r.exitCode}): ${out}`);
    }
    done("cloud-init");
  }

  return { state, ipv4, cloudInit, stages };
}

function tail(text: string, lines = 12): string {
  const kept = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return kept.slice(-lines).join(" | ").slice(0, 2000);
}
