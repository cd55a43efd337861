/**
 * Durations as CI systems write them: a number (seconds) or GitLab-style text
 * ("3h", "1h 30m", "90 minutes", "2 days"). Returns seconds, or undefined when unparseable.
 */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v !== "string") return undefined;
  const t = v.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b/g;
  let total = 0;
  let matched = "";
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * (UNITS[(m[2] ?? "s")[0] as keyof typeof UNITS] ?? 1);
    matched += m[0];
  }
  if (matched.replace(/\s/g, "").length !== t.replace(/\s|and|,/g, "").length) return undefined;
  return matched ? total : undefined;
}
