import { approvalRule } from "../lib/approval.ts";
import { gateOf } from "../lib/classify.ts";

/** Creating or rotating secrets (secret stores, generated passwords, keys, access tokens) needs approval. */
export const secretChangeApproval = approvalRule({
  name: "secret-change-approval",
  description: "Secret creation and rotation (secret stores, generated passwords/keys, access tokens) need an approved fingerprint.",
  noun: "secret resource",
  gates: (type, props) => gateOf(type, props) === "secret",
});
