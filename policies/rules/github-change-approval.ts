import { approvalRule } from "../lib/approval.ts";
import { gateOf } from "../lib/classify.ts";

/**
 * GitHub resources that change who can merge, deploy or approve (branch protection and rulesets,
 * environments and their deployment policies, collaborators, team membership, deploy keys) and
 * variables holding the identities workflows assume need approval.
 */
export const githubChangeApproval = approvalRule({
  name: "github-change-approval",
  description: "GitHub changes to who can merge, deploy or approve (branch protection, environments, membership, identity variables) need an approved fingerprint.",
  noun: "GitHub access resource",
  gates: (type, props) => gateOf(type, props) === "github",
});
