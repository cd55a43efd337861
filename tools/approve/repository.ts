import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadWorkflows, readRepositoryApprovals, renderSurface, REPOSITORY_APPROVALS, surfaceOf, widenings } from "../workflows/surface.ts";

export interface RepositoryApproveResult {
  /** 0 written or up to date, 1 --check found differences */
  code: 0 | 1;
  file: string;
  /** what the new record approves beyond the old one (widenings), one line each */
  changes: string[];
}

/**
 * `npm run approve -- --repository`: records the repository's surface — each workflow's triggers
 * and each job's token permissions, the manifests' dependency names — in
 * policies/approvals/repository.json (tools/workflows/surface.ts). `--check` only compares.
 */
export function approveRepository(root: string, check = false): RepositoryApproveResult {
  const file = join(root, REPOSITORY_APPROVALS);
  const workflows = loadWorkflows(root);
  const surface = surfaceOf(workflows, root);
  const text = renderSurface(surface);
  const changes = widenings(surface, readRepositoryApprovals(file), workflows, root).map((f) => `+ ${f.file}${f.job === "-" ? "" : ` job ${f.job}`}: ${f.message.replace(/ (since its approval|without an approval)/, "")}`);
  const current = existsSync(file) ? readFileSync(file, "utf8") : undefined;
  if (check) return { code: current === text ? 0 : 1, file, changes };
  if (current !== text) writeFileSync(file, text);
  return { code: 0, file, changes };
}
