/**
 * Names the console gives the AWS resources that the CI deploy role must be able to address.
 * One home for them: `AwsConsole` creates with these, `CiIdentity` scopes its IAM with these.
 */

/** IAM path of the console's task/execution roles (the deploy role may pass only these). */
export function consoleRolePath(stack: string): string {
  return `/labfleet/${stack}/console/`;
}

/** Prefix of the console's CloudWatch log groups. */
export function consoleLogGroupPrefix(stack: string): string {
  return `/labfleet/${stack}/`;
}

/** Prefix of the ALB access-log bucket name (S3 appends a unique suffix; ≤ 37 chars). */
export function albLogBucketPrefix(stack: string): string {
  return `labfleet-${stack}-alb-logs-`.slice(0, 37);
}

/** ECS cluster name and task-definition family prefix. */
export function consoleEcsPrefix(stack: string): string {
  return `labfleet-${stack}-`;
}
