import { describe, expect, it } from "vitest";
import { canonicalContainerDefinitions } from "../../../components/aws/container-definitions.ts";
import { planSubnets } from "../../../components/aws/subnets.ts";
import { deployStatements, previewStatements } from "../../../components/ci/aws-permissions.ts";
import {
  environmentSubject,
  githubTrustPolicy,
  pullRequestSubject,
  repositoryPrincipalSet,
  wifAttributeCondition,
} from "../../../components/ci/trust.ts";
import { transactionLogDays } from "../../../components/gcp/database.ts";
import { runtimeAccountId } from "../../../components/gcp/service.ts";

describe("canonical container definitions (pulumi-aws #4576)", () => {
  const def = {
    name: "web",
    image: "ghcr.io/x/web:1",
    portMappings: [{ containerPort: 8080 }],
    environment: [
      { name: "B", value: "2" },
      { name: "A", value: "1" },
      { name: "GONE", value: null },
    ],
    secrets: [
      { name: "Z", valueFrom: "arn:z" },
      { name: "Y", valueFrom: "arn:y" },
    ],
    logConfiguration: { options: { b: "2", a: "1" }, logDriver: "awslogs" },
  };

  it("emits what ECS reads back: sorted containers/env/secrets, defaults materialised, nulls dropped, keys sorted", () => {
    const sidecar = { name: "agent", image: "a:1" };
    const json = canonicalContainerDefinitions([def, sidecar]);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    expect(parsed.map((c) => c.name)).toEqual(["agent", "web"]);
    const web = parsed[1]!;
    expect(Object.keys(web)).toEqual([...Object.keys(web)].sort());
    expect(web.environment).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(web.secrets).toEqual([
      { name: "Y", valueFrom: "arn:y" },
      { name: "Z", valueFrom: "arn:z" },
    ]);
    expect(web.portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
    expect(parsed[0]).toEqual({ cpu: 0, environment: [], essential: true, image: "a:1", mountPoints: [], name: "agent", portMappings: [], systemControls: [], volumesFrom: [] });
    expect(JSON.stringify((web.logConfiguration as Record<string, unknown>).options)).toBe('{"a":"1","b":"2"}');
  });

  it("is a fixed point and independent of input key/element order, so repeated runs send identical text", () => {
    const once = canonicalContainerDefinitions([def]);
    expect(canonicalContainerDefinitions(JSON.parse(once))).toBe(once);
    const shuffled = {
      logConfiguration: { logDriver: "awslogs", options: { a: "1", b: "2" } },
      secrets: [...def.secrets].reverse(),
      environment: [...def.environment].reverse(),
      portMappings: [{ protocol: "tcp" as const, containerPort: 8080 }],
      image: def.image,
      name: def.name,
    };
    expect(canonicalContainerDefinitions([shuffled])).toBe(once);
  });

  it("rejects duplicate container names", () => {
    expect(() => canonicalContainerDefinitions([def, def])).toThrow(/duplicate container name "web"/);
  });
});

describe("subnet plan", () => {
  it("carves /20s from a /16: public low blocks, private upper half", () => {
    expect(planSubnets("10.40.0.0/16", 3)).toEqual({
      public: ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
      private: ["10.40.128.0/20", "10.40.144.0/20", "10.40.160.0/20"],
    });
  });
  it("keeps subnets ≥ /27 in small VPCs and refuses what does not fit", () => {
    expect(planSubnets("192.168.5.0/24", 2)).toEqual({ public: ["192.168.5.0/27", "192.168.5.32/27"], private: ["192.168.5.128/27", "192.168.5.160/27"] });
    expect(() => planSubnets("10.0.0.0/25", 2)).toThrow(/\/16 to \/24/);
    expect(() => planSubnets("10.0.0.0/24", 5)).toThrow(/azCount/);
  });
});

describe("GitHub OIDC trust", () => {
  const repo = { owner: "example-lab", repo: "labfleet", ownerId: "42" };
  it("subjects and the AWS trust policy are exact (StringEquals, no wildcard)", () => {
    expect(pullRequestSubject(repo)).toBe("repo:example-lab/labfleet:pull_request");
    expect(environmentSubject(repo, "production")).toBe("repo:example-lab/labfleet:environment:production");
    const doc = githubTrustPolicy("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com", pullRequestSubject(repo));
    expect(JSON.stringify(doc)).not.toContain("*");
    expect(JSON.stringify(doc)).not.toContain("StringLike");
  });
  it("the WIF condition pins owner id, repository and subject; the principal set is one pool's repository", () => {
    expect(wifAttributeCondition(repo, "repo:example-lab/labfleet:pull_request")).toBe(
      'assertion.repository_owner_id == "42" && assertion.repository == "example-lab/labfleet" && assertion.sub == "repo:example-lab/labfleet:pull_request"',
    );
    expect(() => wifAttributeCondition({ owner: "o", repo: "r" }, "s")).toThrow(/ownerId/);
    expect(repositoryPrincipalSet("99", "gh-preview", repo)).toBe(
      "principalSet://iam.googleapis.com/projects/99/locations/global/workloadIdentityPools/gh-preview/attribute.repository/example-lab/labfleet",
    );
  });
});

describe("AWS CI permissions without a console", () => {
  it("only state access and identity reads remain; still no wildcard actions", () => {
    const scope = { partition: "aws", account: "111122223333", stack: "x", stateBucket: "state-b" };
    const preview = previewStatements(scope);
    const deploy = deployStatements(scope);
    expect(preview.map((s) => s.Sid)).toEqual(["StateBucketList", "StateObjectsRead", "ReadIdentity"]);
    expect(deploy.map((s) => s.Sid)).toEqual(["ReadIdentity", "StateBucketList", "StateObjectsReadWrite"]);
    for (const s of [...preview, ...deploy]) for (const a of s.Action) expect(a).not.toContain("*");
  });
});

describe("small GCP rules", () => {
  it("PITR log retention follows the edition limit; runtime account ids fit 6–30 chars", () => {
    expect(transactionLogDays("ENTERPRISE", 14)).toBe(7);
    expect(transactionLogDays("ENTERPRISE_PLUS", 14)).toBe(14);
    expect(transactionLogDays("ENTERPRISE", 3)).toBe(3);
    expect(runtimeAccountId("console-gcp")).toBe("console-gcp-run");
    expect(runtimeAccountId("a-very-long-component-name-for-the-console").length).toBeLessThanOrEqual(30);
    expect(runtimeAccountId("x").length).toBeGreaterThanOrEqual(6);
  });
});
