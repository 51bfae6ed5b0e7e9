import { randomUUID } from 'node:crypto';

/** Partition and region used in every Phantom ARN. */
const PREFIX = 'arn:phantom:autoscaling:phantom';

/** The resource types Phantom's ARNs name. */
export type ArnResourceType = 'autoScalingGroup' | 'launchConfiguration';

/** A new group ARN in AWS's format (a fresh uuid, so a re-created group gets a new ARN). */
export const groupArn = (account: string, name: string): string =>
  `${PREFIX}:${account}:autoScalingGroup:${randomUUID()}:autoScalingGroupName/${name}`;

/** A new launch configuration ARN in AWS's format. */
export const launchConfigurationArn = (account: string, name: string): string =>
  `${PREFIX}:${account}:launchConfiguration:${randomUUID()}:launchConfigurationName/${name}`;

/** A new scheduled action ARN in AWS's format. */
export const scheduledActionArn = (account: string, groupName: string, name: string): string =>
  `${PREFIX}:${account}:scheduledUpdateGroupAction:${randomUUID()}:autoScalingGroupName/${groupName}:scheduledActionName/${name}`;

/** A scaling policy's ARN in AWS's format; `policyId` is the policy's stored uuid (stable across replaces). */
export const scalingPolicyArn = (account: string, policyId: string, groupName: string, policyName: string): string =>
  `${PREFIX}:${account}:scalingPolicy:${policyId}:autoScalingGroupName/${groupName}:policyName/${policyName}`;

/**
 * The account and policy id a scaling policy ARN carries (any partition and region), or
 * undefined when `value` is not one. Pure; the caller compares the whole ARN with the stored one.
 */
export function scalingPolicyArnParts(value: string): { account: string; policyId: string } | undefined {
  const match = /^arn:[^:]*:autoscaling:[^:]*:([^:]*):scalingPolicy:([^:]+):autoScalingGroupName\//.exec(value);
  return match ? { account: match[1]!, policyId: match[2]! } : undefined;
}

/** `arn:partition:autoscaling:region:account:type:uuid:typeName/name`; the name may hold any character. */
const AUTOSCALING_ARN = /^arn:[^:]*:autoscaling:[^:]*:[^:]*:([^:]*):[^:]*:([^:/]*)\/([\s\S]*)$/;

/**
 * How a parameter that takes a resource name or its ARN (AWS's "ResourceName", e.g.
 * UpdateAutoScalingGroup's AutoScalingGroupName) addresses a resource of `type`.
 * - A name (anything that is not an Auto Scaling ARN): `{ name }`.
 * - An Auto Scaling ARN of `type`: `{ name, arn }`; it addresses the resource only when `arn`
 *   is exactly the stored resource's ARN (same account, same uuid), which the caller checks.
 * - An Auto Scaling ARN of another type: undefined (it addresses nothing of this type).
 * Pure; never throws.
 */
export function addressOf(value: string, type: ArnResourceType): { name: string; arn?: string } | undefined {
  const match = AUTOSCALING_ARN.exec(value);
  if (!match) return { name: value };
  const [, resourceType, nameKey, name] = match as unknown as [string, string, string, string];
  if (resourceType !== type || nameKey !== `${type}Name` || name === '') return undefined;
  return { name, arn: value };
}

/** Whether `value` reads as an Auto Scaling ARN (such a string cannot also serve as a name). */
export const isAutoScalingArn = (value: string): boolean => AUTOSCALING_ARN.test(value);
