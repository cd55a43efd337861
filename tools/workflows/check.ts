import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { ROOT } from "../plan/run.ts";
import { codeownersFindings } from "./codeowners.ts";
import { meshDeployFindings } from "./mesh.ts";
import { checkWorkflow, type Finding, formatFinding } from "./rules.ts";
import { loadWorkflows, readRepositoryApprovals, REPOSITORY_APPROVALS, surfaceOf, widenings } from "./surface.ts";

/** Every finding of the workflow rules and the approval of the repository's surface, in file order. */
export function checkRepository(root: string, approvalsFile = join(root, REPOSITORY_APPROVALS)): Finding[] {
  const workflows = loadWorkflows(root);
  const findings = workflows.flatMap(checkWorkflow);
  findings.push(...meshDeployFindings(workflows, root));
  findings.push(...widenings(surfaceOf(workflows, root), readRepositoryApprovals(approvalsFile), workflows, root), ...codeownersFindings(root));
  return findings.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/**
 * npm run workflows [-- --root <dir>] [--approvals <file>]
 * Exit codes: 0 clean, 1 findings (one line each: file:line: job <id>: [rule] … Fix: …), 2 unreadable input.
 */
async function main(): Promise<number> {
  const program = new Command()
    .name("workflows")
    .description("check .github/workflows/ against the workflow rules and the approved repository surface (docs/governance.md)")
    .option("--root <dir>", "repository root", ROOT)
    .option("--approvals <file>", `approved surface (default <root>/${REPOSITORY_APPROVALS})`)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    program.parse(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const o = program.opts<{ root: string; approvals?: string }>();
  const root = resolve(o.root);
  try {
    const findings = checkRepository(root, o.approvals ? resolve(o.approvals) : undefined);
    for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
    process.stdout.write(findings.length === 0 ? "workflows: clean\n" : `workflows: ${findings.length} finding${findings.length === 1 ? "" : "s"}\n`);
    return findings.length === 0 ? 0 : 1;
  } catch (err) {
    // WorkflowError and the manifest/approvals readers name the file (and line) themselves
    if (err instanceof Error) {
      process.stderr.write(`workflows: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) process.exitCode = await main();
