import { spawnSync } from "node:child_process";
import { ROOT } from "../../tools/plan/run.ts";

/**
 * Loads a serialized dynamic provider (the `__provider` input) the way Pulumi's dynamic-provider
 * host does — `require-from-string(...).handler()` in a plain CommonJS `node` process with the
 * directory of the program's `main` (stacks/) as cwd, as the engine starts it, no NODE_PATH and no
 * tsx loader — and calls one method with JSON arguments.
 */
export function callSerializedProvider(serialized: string, method: string, args: unknown[], env: NodeJS.ProcessEnv = {}) {
  const script = `
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", async () => {
      const { provider, method, args } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      try {
        const p = require("require-from-string")(provider).handler();
        const result = await p[method](...args);
        process.stdout.write(JSON.stringify({ ok: true, result }));
      } catch (err) {
        process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message || err) }));
      }
    });`;
  const r = spawnSync(process.execPath, ["-e", script], {
    cwd: `${ROOT}/stacks`,
    input: JSON.stringify({ provider: serialized, method, args }),
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  if (r.status !== 0) throw new Error(`provider host exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ok: true; result: unknown } | { ok: false; error: string };
}
