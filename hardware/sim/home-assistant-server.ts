/**
 * The Home Assistant stand-in (./home-assistant.ts) as a process of its own, for the simulated
 * lab.
 * Design notes: docs/design/hut.md ("hardware/sim/home-assistant-server.ts").
 */
import { writeFileSync } from "node:fs";
import { HaDouble } from "./home-assistant.ts";

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`home-assistant-server: ${name} is required\n`);
    process.exit(2);
  }
  return v;
}

const token = required("HA_SIM_TOKEN");
const entities = required("HA_SIM_ENTITIES")
  .split(",")
  .map((e) => e.trim())
  .filter(Boolean);
const ha = await HaDouble.start({
  token,
  entities: Object.fromEntries(entities.map((e) => [e, "on"])),
  transitionMs: Number(process.env.HA_SIM_TRANSITION_MS ?? 200),
  port: Number(process.env.HA_SIM_PORT ?? 0),
});
const logged = new WeakSet<object>();
const logTimer = setInterval(() => {
  for (const c of ha.calls) {
    if (logged.has(c) || c.status === undefined) continue;
    logged.add(c);
    process.stdout.write(`${new Date().toISOString()} ${c.method} ${c.path} ${c.status}${c.state ? ` ${c.state}` : ""}\n`);
  }
}, 200);
if (process.env.HA_SIM_READY_FILE) {
  writeFileSync(process.env.HA_SIM_READY_FILE, `${JSON.stringify({ url: ha.url, pid: process.pid })}\n`, { mode: 0o600 });
}
process.stdout.write(`home-assistant stand-in on ${ha.url} (${entities.join(", ")})\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(logTimer);
  await ha.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
