import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as gcp from "@pulumi/gcp";
import { describe, hint, show } from "../lib/message.ts";
import { at, isUnknown } from "../lib/reveal.ts";
import { onTypes } from "../lib/rule.ts";

/**
 * Cloud Run services accept traffic only from the load balancer (or internally), never directly
 * from the internet. v2 services: `ingress`; v1 services: the `run.googleapis.com/ingress`
 * annotation. Unknowns: literals; unknown fails closed. Absent means the API default (all).
 */
const V2_OK = ["INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER", "INGRESS_TRAFFIC_INTERNAL_ONLY"];
const V1_OK = ["internal-and-cloud-load-balancing", "internal"];
const FIX = "set ingress: INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER and serve it through the HTTPS load balancer";

export const cloudrunIngressViaLb: ResourceValidationPolicy = {
  name: "cloudrun-ingress-via-lb",
  description: "Cloud Run services are reachable only through the load balancer (ingress internal-and-cloud-load-balancing).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set ingress to INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER (v2) or the run.googleapis.com/ingress annotation (v1).",
  validateResource: [
    ...onTypes([gcp.cloudrunv2.Service], (props, args, report) => {
      const v = props.ingress;
      if (isUnknown(v)) report(hint(`${describe(args)} ingress is unknown during preview`, FIX));
      else if (typeof v !== "string" || !V2_OK.includes(v)) report(hint(`${describe(args)} accepts direct internet traffic (ingress=${show(v ?? "default INGRESS_TRAFFIC_ALL")})`, FIX));
    }),
    ...onTypes([gcp.cloudrun.Service], (props, args, report) => {
      const v = at(props, "metadata", "annotations", "run.googleapis.com/ingress");
      if (isUnknown(v)) report(hint(`${describe(args)} ingress annotation is unknown during preview`, FIX));
      else if (typeof v !== "string" || !V1_OK.includes(v)) report(hint(`${describe(args)} accepts direct internet traffic (run.googleapis.com/ingress=${show(v ?? "default all")})`, 'set the annotation run.googleapis.com/ingress: "internal-and-cloud-load-balancing"'));
    }),
  ],
};
