import type { GroupRecord, LaunchConfigurationRecord, UserId } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { addressOf, isAutoScalingArn } from '../domain/arn.ts';
import { groupNotFound, invalid, launchConfigurationNotFound } from './deps.ts';

/**
 * The owner's group that `ref` names: by name, or by ARN only when the ARN is exactly the
 * group's own (the owner's account, the group's uuid, the group resource type). Anything else,
 * another account's ARN included, finds nothing — as an absent name does.
 */
export async function findGroup(store: Store, owner: UserId, ref: string): Promise<GroupRecord | undefined> {
  const address = addressOf(ref, 'autoScalingGroup');
  if (!address) return undefined;
  const group = await store.getGroup(owner, address.name);
  return address.arn === undefined || group?.arn === address.arn ? group : undefined;
}

/**
 * The owner's group that `ref` (a name or ARN) names, resolved as {@link findGroup}.
 * @throws PhantomError NotFound, with AWS's wording and `ref` as given.
 */
export async function requireGroup(store: Store, owner: UserId, ref: string): Promise<GroupRecord> {
  const group = await findGroup(store, owner, ref);
  if (!group) throw groupNotFound(ref);
  return group;
}

/**
 * The owner's launch configuration that `ref` (a name or ARN) names, resolved as {@link findGroup}.
 * @throws PhantomError NotFound, with AWS's wording and `ref` as given.
 */
export async function requireLaunchConfiguration(
  store: Store,
  owner: UserId,
  ref: string,
): Promise<LaunchConfigurationRecord> {
  const address = addressOf(ref, 'launchConfiguration');
  const lc = address && (await store.getLaunchConfiguration(owner, address.name));
  if (!lc || (address.arn !== undefined && lc.arn !== address.arn)) throw launchConfigurationNotFound(ref);
  return lc;
}

/**
 * A new group's or launch configuration's name must not read as an ARN: parameters taking a
 * name or an ARN could never address it by name.
 * @throws PhantomError Validation.
 */
export function checkNewName(name: string): void {
  if (isAutoScalingArn(name)) throw invalid(`The name ${name} reads as an ARN; choose a name that is not one.`);
}

/**
 * The group whose activities are asked for: undefined for all, null for none. A deleted
 * group (IncludeDeletedGroups) is found by name only: its ARN can no longer be checked.
 * @throws PhantomError NotFound for an absent group, unless deleted groups are included.
 */
export async function activitiesGroupName(
  store: Store,
  owner: UserId,
  input: { AutoScalingGroupName?: string; IncludeDeletedGroups?: boolean },
): Promise<string | null | undefined> {
  const ref = input.AutoScalingGroupName;
  if (ref === undefined) return undefined;
  const group = await findGroup(store, owner, ref);
  if (group) return group.name;
  if (!input.IncludeDeletedGroups) throw groupNotFound(ref);
  const address = addressOf(ref, 'autoScalingGroup');
  return address && address.arn === undefined ? address.name : null;
}
