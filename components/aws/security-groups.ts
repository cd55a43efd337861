import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";

export interface SecurityGroups {
  alb: aws.ec2.SecurityGroup;
  tasks: aws.ec2.SecurityGroup;
  db: aws.ec2.SecurityGroup;
}

/** The PostgreSQL port; the only port open on the database. */
export const POSTGRES_PORT = 5432;

/**
 * The chain internet → ALB (80/443) → tasks (container port) → DB (5432), as standalone
 * rules (`aws.vpc.SecurityGroupIngressRule`/`EgressRule`) on groups without inline rules, so
 * each rule is its own resource and nothing else is open. Tasks may also leave on 443 (image
 * pulls, Secrets Manager, CloudWatch Logs through the NAT gateway), and the ALB on 443 when it
 * authenticates users (it calls the identity provider's endpoints itself).
 */
export function createSecurityGroups(s: ChildScope, vpcId: pulumi.Input<string>, containerPort: number, albReachesIdp: boolean): SecurityGroups {
  const group = (suffix: string, description: string) =>
    new aws.ec2.SecurityGroup(s.name(`${suffix}-sg`), { vpcId, description, revokeRulesOnDelete: true, tags: s.tags({ Name: s.name(suffix) }) }, s.opts());
  const alb = group("alb", "console ALB: HTTP/HTTPS from the internet");
  const tasks = group("tasks", "console tasks: container port from the ALB only");
  const db = group("db", "console database: PostgreSQL from the tasks only");

  const ingress = (suffix: string, args: aws.vpc.SecurityGroupIngressRuleArgs) =>
    new aws.vpc.SecurityGroupIngressRule(s.name(suffix), { ...args, tags: s.tags() }, s.opts());
  const egress = (suffix: string, args: aws.vpc.SecurityGroupEgressRuleArgs) =>
    new aws.vpc.SecurityGroupEgressRule(s.name(suffix), { ...args, tags: s.tags() }, s.opts());

  for (const port of [80, 443]) {
    ingress(`alb-in-${port}`, { securityGroupId: alb.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", description: `internet to ALB ${port}` });
  }
  if (albReachesIdp) {
    // authenticate-oidc: the ALB itself calls the identity provider's token and user-info endpoints.
    egress("alb-out-idp", { securityGroupId: alb.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "ALB to the OIDC identity provider" });
  }
  egress("alb-out-tasks", { securityGroupId: alb.id, ipProtocol: "tcp", fromPort: containerPort, toPort: containerPort, referencedSecurityGroupId: tasks.id, description: "ALB to tasks" });

  ingress("tasks-in-alb", { securityGroupId: tasks.id, ipProtocol: "tcp", fromPort: containerPort, toPort: containerPort, referencedSecurityGroupId: alb.id, description: "ALB to tasks" });
  egress("tasks-out-db", { securityGroupId: tasks.id, ipProtocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, referencedSecurityGroupId: db.id, description: "tasks to PostgreSQL" });
  egress("tasks-out-https", { securityGroupId: tasks.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "tasks to AWS APIs and the image registry" });

  ingress("db-in-tasks", { securityGroupId: db.id, ipProtocol: "tcp", fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, referencedSecurityGroupId: tasks.id, description: "tasks to PostgreSQL" });

  return { alb, tasks, db };
}
