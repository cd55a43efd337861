import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ChildScope } from "../component.ts";
import { planSubnets } from "./subnets.ts";

export interface NetworkArgs {
  cidr: string;
  azCount: number;
  natGateways: "single" | "perAz";
}

export interface Network {
  vpc: aws.ec2.Vpc;
  publicSubnets: aws.ec2.Subnet[];
  privateSubnets: aws.ec2.Subnet[];
  natGateways: aws.ec2.NatGateway[];
}

/**
 * VPC with one public and one private subnet per AZ. Public subnets route to an internet
 * gateway; each private subnet routes to a NAT gateway — one shared (`single`) or its own AZ's
 * (`perAz`, so losing an AZ does not cut the others off). The default security group is emptied.
 */
export function createNetwork(s: ChildScope, args: NetworkArgs): Network {
  const plan = planSubnets(args.cidr, args.azCount);
  // Only regular AZs: an opted-in Local Zone is "available" too (and sorts first), but an ALB,
  // NAT gateway or RDS Multi-AZ cannot use it.
  const zones = aws
    .getAvailabilityZonesOutput(
      {
        state: "available",
        filters: [
          { name: "zone-type", values: ["availability-zone"] },
          { name: "opt-in-status", values: ["opt-in-not-required"] },
        ],
      },
      s.opts(),
    ).names.apply((names) => {
    if (!names || names.length < args.azCount) {
      throw new Error(`console.aws.azCount is ${args.azCount} but the region offers ${names?.length ?? 0} availability zones`);
    }
    return names.slice(0, args.azCount);
  });
  const az = (i: number) => zones.apply((z) => z[i]!);

  const vpc = new aws.ec2.Vpc(s.name("vpc"), { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: s.tags({ Name: s.name("vpc") }) }, s.opts());
  new aws.ec2.DefaultSecurityGroup(s.name("default-sg"), { vpcId: vpc.id, ingress: [], egress: [], tags: s.tags({ Name: s.name("default-deny") }) }, s.opts());
  const igw = new aws.ec2.InternetGateway(s.name("igw"), { vpcId: vpc.id, tags: s.tags({ Name: s.name("igw") }) }, s.opts());

  const publicRt = new aws.ec2.RouteTable(s.name("public-rt"), { vpcId: vpc.id, tags: s.tags({ Name: s.name("public") }) }, s.opts());
  new aws.ec2.Route(s.name("public-default"), { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, s.opts());

  const publicSubnets = plan.public.map((cidr, i) => {
    const subnet = new aws.ec2.Subnet(
      s.name(`public-${i}`),
      { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: az(i), mapPublicIpOnLaunch: false, tags: s.tags({ Name: s.name(`public-${i}`), tier: "public" }) },
      s.opts(),
    );
    new aws.ec2.RouteTableAssociation(s.name(`public-${i}-rta`), { subnetId: subnet.id, routeTableId: publicRt.id }, s.opts());
    return subnet;
  });

  const natCount = args.natGateways === "perAz" ? args.azCount : 1;
  const natGateways = Array.from({ length: natCount }, (_, i) => {
    const eip = new aws.ec2.Eip(s.name(`nat-${i}-eip`), { domain: "vpc", tags: s.tags({ Name: s.name(`nat-${i}`) }) }, s.opts());
    return new aws.ec2.NatGateway(
      s.name(`nat-${i}`),
      { allocationId: eip.id, subnetId: publicSubnets[i]!.id, connectivityType: "public", tags: s.tags({ Name: s.name(`nat-${i}`) }) },
      s.opts({ dependsOn: [igw] }),
    );
  });

  const privateSubnets = plan.private.map((cidr, i) => {
    const subnet = new aws.ec2.Subnet(
      s.name(`private-${i}`),
      { vpcId: vpc.id, cidrBlock: cidr, availabilityZone: az(i), mapPublicIpOnLaunch: false, tags: s.tags({ Name: s.name(`private-${i}`), tier: "private" }) },
      s.opts(),
    );
    const rt = new aws.ec2.RouteTable(s.name(`private-${i}-rt`), { vpcId: vpc.id, tags: s.tags({ Name: s.name(`private-${i}`) }) }, s.opts());
    const nat = natGateways[args.natGateways === "perAz" ? i : 0]!;
    new aws.ec2.Route(s.name(`private-${i}-default`), { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, s.opts());
    new aws.ec2.RouteTableAssociation(s.name(`private-${i}-rta`), { subnetId: subnet.id, routeTableId: rt.id }, s.opts());
    return subnet;
  });

  return { vpc, publicSubnets, privateSubnets, natGateways };
}

export const subnetIds = (subnets: aws.ec2.Subnet[]): pulumi.Output<string[]> => pulumi.all(subnets.map((x) => x.id));
