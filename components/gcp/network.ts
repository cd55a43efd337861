import * as gcp from "@pulumi/gcp";
import type { ChildScope } from "../component.ts";

export interface GcpNetworkArgs {
  region: string;
  subnetCidr: string;
  privateServicePrefixLength: number;
}

export interface GcpNetwork {
  network: gcp.compute.Network;
  subnet: gcp.compute.Subnetwork;
  /** Private services access: Cloud SQL gets its private IP from the reserved range through this. */
  peering: gcp.servicenetworking.Connection;
}

/**
 * A custom-mode VPC with one subnet for Cloud Run direct VPC egress, and a reserved range
 * peered to Google's service producer network (servicenetworking) for Cloud SQL private IP.
 */
export function createGcpNetwork(s: ChildScope, args: GcpNetworkArgs): GcpNetwork {
  const network = new gcp.compute.Network(s.name("vpc"), { autoCreateSubnetworks: false, routingMode: "REGIONAL", description: "labfleet console" }, s.opts());
  const subnet = new gcp.compute.Subnetwork(
    s.name("run-egress"),
    {
      network: network.id,
      region: args.region,
      ipCidrRange: args.subnetCidr,
      privateIpGoogleAccess: true,
      logConfig: { aggregationInterval: "INTERVAL_5_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
    },
    s.opts(),
  );
  const range = new gcp.compute.GlobalAddress(
    s.name("private-services"),
    { network: network.id, purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: args.privateServicePrefixLength, labels: s.labels() },
    s.opts(),
  );
  const peering = new gcp.servicenetworking.Connection(
    s.name("private-services-peering"),
    {
      network: network.id,
      service: "servicenetworking.googleapis.com",
      reservedPeeringRanges: [range.name],
      // Deleting the peering fails while Cloud SQL still holds producer resources; abandon it.
      deletionPolicy: "ABANDON",
    },
    s.opts(),
  );
  return { network, subnet, peering };
}
