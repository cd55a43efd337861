import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Finding } from "./rules.ts";

export const CODEOWNERS = ".github/CODEOWNERS";

/** Paths whose changes need the governance owners' review (one file stands for each folder). */
export const GUARDED_PATHS = [
  "policies/approvals/production.json",
  "policies/approvals/repository.json",
  ".github/workflows/pr.yml",
  ".github/CODEOWNERS",
  "package.json",
  "package-lock.json",
];

/** A CODEOWNERS pattern (gitignore syntax: `/` anchors, trailing `/` = folder, `*`, `**`) as a regex. */
function patternRegex(pattern: string): RegExp {
  const anchored = pattern.startsWith("/") || pattern.slice(0, -1).includes("/");
  const body = pattern
    .replace(/^\//, "")
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]")
    .replace(/\u0000/g, ".*");
  const tail = body.endsWith("/") ? ".*" : "(?:/.*)?";
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}${tail}$`);
}

/** Owners of `path`: the last matching line wins (GitHub's rule); none when it lists no owner. */
export function ownersOf(text: string, path: string): { owners: string[]; line: number } | undefined {
  let found: { owners: string[]; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const l = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!l) return;
    const [pattern = "", ...owners] = l.split(/\s+/);
    if (patternRegex(pattern).test(path)) found = { owners, line: i + 1 };
  });
  return found;
}

/** Every guarded path has an owner in .github/CODEOWNERS. */
export function codeownersFindings(root: string): Finding[] {
  const file = join(root, CODEOWNERS);
  const fix = "add a line `/<path> @<governance team>` to .github/CODEOWNERS";
  if (!existsSync(file)) return [{ rule: "codeowners", file: CODEOWNERS, job: "-", line: 1, message: "is missing, so nothing needs the governance owners' review", fix }];
  const text = readFileSync(file, "utf8");
  return GUARDED_PATHS.flatMap((p) => {
    const o = ownersOf(text, p);
    if (o && o.owners.length > 0) return [];
    return [{ rule: "codeowners" as const, file: CODEOWNERS, job: "-", line: o?.line ?? 1, message: `gives ${p} no owner${o ? " (its last matching line lists none)" : ""}`, fix }];
  });
}
