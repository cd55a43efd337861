import { approvalRule } from "../lib/approval.ts";
import { gateOf } from "../lib/classify.ts";

/** OIDC providers, federated trust policies and Workload Identity pools/providers/bindings need approval. */
export const wifChangeApproval = approvalRule({
  name: "wif-change-approval",
  description: "Identity-federation changes (OIDC providers, web-identity trust, Workload Identity pools and bindings) need an approved fingerprint.",
  noun: "identity-federation resource",
  gates: (type, props) => gateOf(type, props) === "wif",
});
