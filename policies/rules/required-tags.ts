import type { ResourceValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { ruleConfig } from "../lib/config.ts";
import { describe, hint } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { tagsOf } from "../lib/resource.ts";
import { onAll } from "../lib/rule.ts";

/**
 * Every taggable cloud resource carries the required tags (AWS `tags`) or labels (GCP `labels`,
 * Cloud SQL `settings.userLabels`). A resource is taggable when it has the property, or is one
 * of the common taggable types below (so forgetting the property is caught). Advisory.
 * Unknowns: an unknown tag map is not reported (it is computed from outputs, checked at update).
 */
const config = ruleConfig(
  "required-tags",
  z.object({
    tags: z.array(z.string()).default(["environment", "component", "managed-by"]).describe("tag/label keys every taggable resource carries"),
  }),
);

const TAGGABLE = new Set([
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/routeTable:RouteTable",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "aws:lb/listener:Listener",
  "aws:alb/loadBalancer:LoadBalancer",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/service:Service",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:rds/instance:Instance",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:secretsmanager/secret:Secret",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:kms/key:Key",
  "aws:acm/certificate:Certificate",
  "aws:s3/bucket:Bucket",
  "gcp:sql/databaseInstance:DatabaseInstance",
  "gcp:cloudrunv2/service:Service",
  "gcp:secretmanager/secret:Secret",
  "gcp:compute/globalForwardingRule:GlobalForwardingRule",
]);

export const requiredTags: ResourceValidationPolicy = {
  name: "required-tags",
  description: "Taggable cloud resources carry the required tags/labels.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: config.configSchema,
  remediationSteps: "Create the resource inside a LabComponent and pass tags: this.tags() (GCP: labels: this.labels()).",
  validateResource: onAll((props, args, report) => {
    const gcp = args.type.startsWith("gcp:");
    if (!gcp && !args.type.startsWith("aws:")) return;
    const raw = gcp ? (props.labels ?? at(props, "settings", "userLabels")) : props.tags;
    if (isUnknown(raw)) return;
    if (raw === undefined && !TAGGABLE.has(args.type)) return;
    const tags = tagsOf(args.type, props) ?? {};
    const missing = config.read(args).tags.filter((k) => typeof tags[k] !== "string" || tags[k] === "");
    if (missing.length > 0) {
      report(hint(`${describe(args)} lacks ${gcp ? "labels" : "tags"} ${missing.join(", ")}`, `create it in a LabComponent with ${gcp ? "labels: this.labels()" : "tags: this.tags()"}`));
    }
  }),
};
