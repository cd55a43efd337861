import { describe, expect, it } from "vitest";
import { advisory, check, mandatory, noDowngrade, res, unknown } from "../helpers.ts";

const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown) => ({ Effect: "Allow", Action, Resource });

describe("iam-least-privilege", () => {
  it("passes scoped statements, deny wildcards, star-only actions, narrow GCP roles", async () => {
    const vs = await check("iam-least-privilege", [
      res("aws:iam/rolePolicy:RolePolicy", "rp", { policy: doc(allow(["s3:GetObject", "s3:Get*"], "arn:aws:s3:::b/*"), { Effect: "Deny", Action: "*", Resource: "*" }) }),
      res("aws:iam/policy:Policy", "p", { policy: doc(allow("ecr:GetAuthorizationToken", "*")) }),
      res("aws:iam/role:Role", "r", {
        assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } }),
        inlinePolicies: [{ name: "logs", policy: doc(allow(["logs:PutLogEvents"], "arn:aws:logs:eu-central-1:1:log-group:x:*")) }],
      }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" }),
      res("gcp:projects/iAMMember:IAMMember", "m", { project: "p", role: "roles/cloudsql.client", member: "serviceAccount:x@p.iam.gserviceaccount.com" }),
      res("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "invoker", { name: "svc", role: "roles/run.invoker", member: "allUsers" }),
    ]);
    expect(vs).toEqual([]);
  });

  it("fails wildcard actions/resources, NotAction, admin policies, basic/admin roles and public grants", async () => {
    const vs = await check("iam-least-privilege", [
      res("aws:iam/rolePolicy:RolePolicy", "star", { policy: doc(allow("*", "*")) }),
      res("aws:iam/policy:Policy", "svc", { policy: doc({ Sid: "S3", Effect: "Allow", Action: ["s3:*"], Resource: ["arn:aws:s3:::b"] }) }),
      res("aws:iam/userPolicy:UserPolicy", "not", { policy: doc({ Effect: "Allow", NotAction: ["iam:*"], Resource: "arn:x" }) }),
      res("aws:iam/role:Role", "inline", { assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "*" } }), inlinePolicies: [{ name: "all", policy: doc(allow("s3:GetObject", "*")) }] }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      res("gcp:projects/iAMMember:IAMMember", "owner", { project: "p", role: "roles/owner", member: "user:a@b.c" }),
      res("gcp:projects/iAMBinding:IAMBinding", "sa-admin", { project: "p", role: "roles/iam.serviceAccountAdmin", members: ["group:g@b.c"] }),
      res("gcp:storage/bucketIAMMember:BucketIAMMember", "public", { bucket: "b", role: "roles/storage.objectViewer", member: "allUsers" }),
      res("gcp:projects/iAMPolicy:IAMPolicy", "pol", { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: ["user:a@b.c"] }] }) }),
    ]);
    const lines = vs.map((v) => v.message.split("\n")[1]);
    expect(lines).toEqual([
      'aws:iam/rolePolicy:RolePolicy::star policy statement #0 allows wildcard actions ["*"]. Fix: list the specific actions the workload needs (e.g. "s3:GetObject")',
      'aws:iam/rolePolicy:RolePolicy::star policy statement #0 allows Resource "*" for ["*"]. Fix: scope Resource to the ARNs the workload uses',
      'aws:iam/policy:Policy::svc policy statement "S3" allows wildcard actions ["s3:*"]. Fix: list the specific actions the workload needs (e.g. "s3:GetObject")',
      'aws:iam/userPolicy:UserPolicy::not policy statement #0 allows everything except ["iam:*"] (NotAction). Fix: list the specific actions the workload needs (e.g. "s3:GetObject")',
      "aws:iam/role:Role::inline trust policy statement #0 lets any principal assume the role. Fix: name the trusted principal and add conditions",
      'aws:iam/role:Role::inline inline policy "all" statement #0 allows Resource "*" for ["s3:GetObject"]. Fix: scope Resource to the ARNs the workload uses',
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment::admin policyArn attaches the AWS managed policy AdministratorAccess. Fix: attach a customer-managed policy with only the needed actions",
      "gcp:projects/iAMMember:IAMMember::owner grant grants roles/owner. Fix: grant a narrow predefined role or a custom role instead of owner/editor/admin",
      "gcp:projects/iAMBinding:IAMBinding::sa-admin grant grants roles/iam.serviceAccountAdmin. Fix: grant a narrow predefined role or a custom role instead of owner/editor/admin",
      "gcp:storage/bucketIAMMember:BucketIAMMember::public grant grants roles/storage.objectViewer to allUsers. Fix: grant the role to specific principals",
      "gcp:projects/iAMPolicy:IAMPolicy::pol binding #0 grants roles/editor. Fix: grant a narrow predefined role or a custom role instead of owner/editor/admin",
    ]);
    expect(mandatory(vs)).toHaveLength(vs.length);
  });

  it("reads aws.iam.getPolicyDocument-shaped documents (the offline mock echoes them)", async () => {
    const json = JSON.stringify({ statements: [{ effect: "Allow", actions: ["*"], resources: ["*"] }] });
    const vs = await check("iam-least-privilege", [res("aws:iam/policy:Policy", "tf", { policy: json })]);
    expect(vs.map((v) => v.message.split("\n")[1]?.split(". Fix")[0])).toEqual([
      'aws:iam/policy:Policy::tf policy statement #0 allows wildcard actions ["*"]',
      'aws:iam/policy:Policy::tf policy statement #0 allows Resource "*" for ["*"]',
    ]);
  });

  it("honours config: extra forbidden roles and allowed star actions", async () => {
    const r = res("aws:iam/policy:Policy", "p", { policy: doc(allow("iam:GetAccountSummary", "*")) });
    expect(await check("iam-least-privilege", [r])).toHaveLength(1);
    expect(await check("iam-least-privilege", [r], { "iam-least-privilege": { resourceWildcardActions: ["iam:GetAccountSummary"] } })).toEqual([]);
    const meta = res("aws:iam/policy:Policy", "meta", { policy: doc(allow(["ec2:DescribeVpcs", "acm:ListCertificates"], "*")) });
    expect(await check("iam-least-privilege", [meta])).toEqual([]);
    const data = res("aws:iam/policy:Policy", "data", { policy: doc(allow(["s3:ListBucket"], "*")) });
    expect((await check("iam-least-privilege", [data]))[0]?.message).toContain('allows Resource "*" for ["s3:ListBucket"]');
    const m = res("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/viewer", member: "user:a@b.c" });
    expect(await check("iam-least-privilege", [m], { "iam-least-privilege": { forbiddenGcpRoles: ["roles/viewer"] } })).toHaveLength(1);
  });

  it("unknowns: a wholly unknown document is an advisory deferral, known statements are checked, an unknown GCP role fails closed", async () => {
    const deferred = await check("iam-least-privilege", [res("aws:iam/rolePolicy:RolePolicy", "later", { role: "r", policy: unknown.string })]);
    expect(mandatory(deferred)).toEqual([]);
    expect(advisory(deferred)[0]?.message).toBe(
      "aws:iam/rolePolicy:RolePolicy::later policy: the policy document is unknown during preview; it is checked when `pulumi up` resolves it.",
    );
    const partial = await check("iam-least-privilege", [
      res("aws:iam/role:Role", "partial", {
        assumeRolePolicy: doc({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } }),
        inlinePolicies: [{ name: "x", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: unknown.string }] } }],
      }),
    ]);
    expect(mandatory(partial).map((v) => v.message.split("\n")[1])).toEqual([
      'aws:iam/role:Role::partial inline policy "x" statement #0 allows wildcard actions ["*"]. Fix: list the specific actions the workload needs (e.g. "s3:GetObject")',
    ]);
    const role = await check("iam-least-privilege", [res("gcp:projects/iAMMember:IAMMember", "m", { role: unknown.string, member: "user:a@b.c" })]);
    expect(mandatory(role)[0]?.message).toContain("the role is unknown during preview");
    expect(noDowngrade([...deferred, ...partial, ...role])).toBe(true);
  });
});
