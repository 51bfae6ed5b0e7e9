import { randomUUID } from 'node:crypto';

/** Partition and region used in every Phantom ARN. */
const PREFIX = 'arn:phantom:autoscaling:phantom';

/** A new group ARN in AWS's format (a fresh uuid, so a re-created group gets a new ARN). */
export const groupArn = (account: string, name: string): string =>
  `${PREFIX}:${account}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`;

/** A new launch configuration ARN in AWS's format. */
export const launchConfigurationArn = (account: string, name: string): string =>
  `${PREFIX}:${account}:launchConfiguration:${randomUUID()}:launchConfigurationName/${name}`;

/**
 * Accepts a resource name or one of its ARNs and returns the name. Parameters such as
 * UpdateAutoScalingGroup's AutoScalingGroupName take either (AWS "ResourceName").
 */
export function nameFromNameOrArn(value: string, kind: 'autoScalingGroupName' | 'launchConfigurationName'): string {
  if (!value.startsWith('arn:')) return value;
  const marker = `:${kind}/`;
  const at = value.indexOf(marker);
  return at < 0 ? value : value.slice(at + marker.length);
}
