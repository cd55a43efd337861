import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Invocation, ROLE_TIMEOUTS, TargetRole } from "../../hardware/schema/ws2.ts";
import { ruleConfig } from "../lib/config.ts";
import { durationSeconds } from "../lib/duration.ts";
import { describe, hint } from "../lib/message.ts";
import { isUnknown } from "../lib/reveal.ts";
import { HUT_ACTION_TYPE, commandLine, isCommand, isLabfleetRuntime } from "../lib/resource.ts";
import { onAll } from "../lib/rule.ts";
import { walk } from "../lib/walk.ts";

/**
 * Job time limits stay within the ws2 role maxima (ROLE_TIMEOUTS: infra 3600 s, runner 14400 s):
 * embedded ws2 invocations (validated with the ws2 schema), `--timeout`/`--wait` flags of hut
 * commands and coreutils `timeout <duration>` wrappers (in a HutAction's argv too), `customTimeouts` of command resources, runner/job timeout fields of labfleet dynamic
 * resources (`maximumTimeout`, `timeoutSeconds`, …) and `timeout:` of CI job definitions shipped
 * as files. The role is the resource's `role`/`targetRole` input, else `defaultRole`.
 * Unknowns: timeouts are literals; an unknown timeout field fails closed.
 */
const config = ruleConfig(
  "job-timeouts-within-role-limits",
  z.object({
    defaultRole: TargetRole.default("runner").describe("role of jobs whose resource names none (hut commands run on runners)"),
  }),
);

type Role = keyof typeof ROLE_TIMEOUTS;
const TIMEOUT_KEYS = /^(timeout_?sec(onds)?|timeoutSeconds|maximum_?timeout|maximumTimeout|job_?timeout|jobTimeout)$/i;
const ROLE_KEYS = ["role", "targetRole", "target_role", "agentRole"];
const FLAG = /\bhut\s[^\n;|&]*?--(timeout|wait)[=\s]+(\d+)/g;
/** coreutils `timeout [-k D] [-s SIG] DURATION cmd` wrapping a job */
const COREUTILS = /(?:^|[\s;&|(])timeout\s+(?:(?:-k|--kill-after|-s|--signal)\s+\S+\s+|-\S+\s+)*(\d+(?:\.\d+)?[smhd]?)\s+\S/g;

function roleOf(o: Record<string, unknown>): Role | undefined {
  for (const k of ROLE_KEYS) {
    const v = o[k];
    if (v === "infra" || v === "runner") return v;
  }
  return undefined;
}

function ciJobs(text: string): { job: string; timeout: unknown }[] {
  if (!/(^|\n)\s*(script|stages|timeout):/.test(text)) return [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [];
  const out: { job: string; timeout: unknown }[] = [];
  for (const [job, def] of Object.entries(doc as Record<string, unknown>)) {
    if (def && typeof def === "object" && "timeout" in def) out.push({ job, timeout: (def as { timeout: unknown }).timeout });
  }
  const dflt = (doc as { default?: { timeout?: unknown } }).default?.timeout;
  if (dflt !== undefined) out.push({ job: "default", timeout: dflt });
  return out;
}

export const jobTimeoutsWithinRoleLimits: ResourceValidationPolicy = {
  name: "job-timeouts-within-role-limits",
  description: `Job timeouts stay within the role maxima (infra ${ROLE_TIMEOUTS.infra.maxSec} s, runner ${ROLE_TIMEOUTS.runner.maxSec} s).`,
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: config.configSchema,
  remediationSteps: "Lower the timeout to the role maximum, or split the job.",
  validateResource: onAll((props, args, report) => {
    if (!isLabfleetRuntime(args.type)) return;
    const cfg = config.read(args);
    const baseRole: Role = roleOf(props) ?? cfg.defaultRole;
    const name = describe(args);
    const over = (where: string, seconds: number, role: Role) => {
      const max = ROLE_TIMEOUTS[role].maxSec;
      if (seconds > max) report(hint(`${name} ${where} is ${seconds}s, over the ${role} maximum of ${max}s`, `set it to at most ${max}s`));
    };
    if (isCommand(args.type)) {
      const t = args.opts.customTimeouts;
      for (const [k, v] of Object.entries({ create: t.createSeconds, update: t.updateSeconds, delete: t.deleteSeconds })) {
        if (v > 0) over(`customTimeouts.${k}`, v, baseRole);
      }
    }
    // HutAction's argv is one word per element: the flags are read from the joined words
    const argv = args.type === HUT_ACTION_TYPE ? commandLine(args.type, props) : undefined;
    if (argv !== undefined) {
      for (const m of argv.matchAll(FLAG)) over(`argv hut --${m[1]}`, Number(m[2]), baseRole);
      for (const m of argv.matchAll(COREUTILS)) {
        const s = durationSeconds(m[1]);
        if (s !== undefined) over(`argv timeout ${m[1]}`, s, baseRole);
      }
    }
    for (const v of walk(props)) {
      if (typeof v.value === "string") {
        for (const m of v.value.matchAll(FLAG)) over(`${v.path} hut --${m[1]}`, Number(m[2]), baseRole);
        if (isCommand(args.type)) {
          for (const m of v.value.matchAll(COREUTILS)) {
            const s = durationSeconds(m[1]);
            if (s !== undefined) over(`${v.path} timeout ${m[1]}`, s, baseRole);
          }
        }
        for (const j of ciJobs(v.value)) {
          const s = durationSeconds(j.timeout);
          if (s === undefined) report(hint(`${name} ${v.path} job ${j.job} has an unparseable timeout ${JSON.stringify(j.timeout)}`, 'write it like "1h 30m"'));
          else over(`${v.path} job ${j.job} timeout`, s, baseRole);
        }
        continue;
      }
      if (!v.value || typeof v.value !== "object" || Array.isArray(v.value)) continue;
      const o = v.value as Record<string, unknown>;
      if (o.schema_version === "ws2.invocation.v1") {
        const r = Invocation.safeParse(o);
        if (!r.success) {
          for (const i of r.error.issues) report(hint(`${name} ${v.path || "(inputs)"} ws2 invocation ${i.path.join(".")}: ${i.message}`, "keep timeout_sec within the target role's maximum"));
        }
        continue;
      }
      const role = roleOf(o) ?? baseRole;
      for (const [k, x] of Object.entries(o)) {
        if (!TIMEOUT_KEYS.test(k)) continue;
        const where = `${v.path ? `${v.path}.` : ""}${k}`;
        if (isUnknown(x)) {
          report(hint(`${name} ${where} is unknown during preview, so it cannot be checked against the ${role} maximum`, "set it to a literal"));
          continue;
        }
        const s = durationSeconds(x);
        if (s !== undefined) over(where, s, role);
      }
    }
  }),
};
