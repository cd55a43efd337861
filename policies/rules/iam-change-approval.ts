import { approvalRule } from "../lib/approval.ts";
import { gateOf } from "../lib/classify.ts";

/** IAM roles, policies, attachments, users, GCP IAM grants and service accounts need approval. */
export const iamChangeApproval = approvalRule({
  name: "iam-change-approval",
  description: "IAM changes (AWS IAM, GCP IAM grants, service accounts) need an approved fingerprint.",
  noun: "IAM resource",
  gates: (type, props) => gateOf(type, props) === "iam",
});
