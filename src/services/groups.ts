import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord, Tag, User, UserId } from '../contracts/records.ts';
import { groupArn } from '../domain/arn.ts';
import { checkCapacity, checkWithinCaps, setDesired, updateCapacity } from '../domain/capacity.ts';
import {
  isPhantomDomain,
  isSensorDomain,
  pinsCapacity,
  resolvePlacement,
  type Placement,
  type PlacementContext,
} from '../domain/placement.ts';
import { parseSensorConfig } from '../engines/policies/sensor.ts';
import type { Store } from '../contracts/store.ts';
import { checkNewName, requireGroup, requireLaunchConfiguration } from './addressing.ts';
import { invalid, limitsOf, type ServiceDeps } from './deps.ts';
import { checkTags } from '../domain/tags.ts';
import { causeTime, recordTermination } from './activities.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';
import { checkInstanceLimit } from './instance-limit.ts';

/** Input of createGroup (already shape-validated). */
export interface NewGroup {
  name: string;
  /** The launch configuration's name or ARN. */
  launchConfigurationName: string;
  minSize: number;
  maxSize: number;
  desiredCapacity?: number;
  defaultCooldown?: number;
  healthCheckType?: string;
  healthCheckGracePeriod?: number;
  availabilityZones: string[];
  loadBalancerNames: string[];
  targetGroupARNs: string[];
  vpcZoneIdentifier?: string;
  placementGroup?: string;
  terminationPolicies?: string[];
  newInstancesProtectedFromScaleIn?: boolean;
  tags: Tag[];
}

/** Fields UpdateAutoScalingGroup may change; absent = unchanged. A launch configuration may be named by ARN. */
export type GroupChanges = Partial<
  Pick<
    GroupRecord,
    | 'launchConfigurationName'
    | 'minSize'
    | 'maxSize'
    | 'desiredCapacity'
    | 'defaultCooldown'
    | 'healthCheckType'
    | 'healthCheckGracePeriod'
    | 'availabilityZones'
    | 'vpcZoneIdentifier'
    | 'placementGroup'
    | 'terminationPolicies'
    | 'newInstancesProtectedFromScaleIn'
  >
>;

/**
 * Resolves a group's placement against the owner's launch configurations and the sites
 * (used by the API rules and by the reconciler).
 * @throws PhantomError Validation when the group's Phantom tags do not resolve.
 */
export async function placementOf(
  store: Store,
  knownSites: readonly string[],
  group: Pick<GroupRecord, 'owner' | 'tags' | 'availabilityZones' | 'launchConfigurationName'>,
): Promise<Placement> {
  return resolvePlacement(group, await placementContext(store, knownSites, group.owner));
}

/** What resolving any of one owner's placements needs: the sites and, in one read, the owner's launch configuration names. */
export async function placementContext(
  store: Store,
  knownSites: readonly string[],
  owner: UserId,
): Promise<PlacementContext> {
  const names = (await store.listLaunchConfigurations(owner, { limit: Number.MAX_SAFE_INTEGER })).map((lc) => lc.name);
  return { knownSites, launchConfigurationNames: names };
}

/**
 * A sensor domain's rule must read from its tags and sizes (metric, thresholds, step sizes,
 * cooldown within MinSize..MaxSize). @throws PhantomError Validation naming the tag.
 */
export function checkSensor(group: Pick<GroupRecord, 'tags' | 'minSize' | 'maxSize'>): void {
  if (isSensorDomain(group.tags)) parseSensorConfig(group.tags, group);
}

/** The record createGroup stores, before any rule that needs the store is checked. */
function newGroupRecord(
  deps: ServiceDeps,
  owner: UserId,
  input: NewGroup,
  launchConfigurationName: string,
): GroupRecord {
  return {
    owner,
    name: input.name,
    arn: groupArn(owner, input.name),
    launchConfigurationName,
    ...checkCapacity({
      minSize: input.minSize,
      maxSize: input.maxSize,
      desiredCapacity: input.desiredCapacity ?? input.minSize,
    }),
    defaultCooldown: input.defaultCooldown ?? 300,
    healthCheckType: input.healthCheckType ?? 'EC2',
    healthCheckGracePeriod: input.healthCheckGracePeriod ?? 0,
    availabilityZones: input.availabilityZones,
    loadBalancerNames: input.loadBalancerNames,
    targetGroupARNs: input.targetGroupARNs,
    vpcZoneIdentifier: input.vpcZoneIdentifier,
    placementGroup: input.placementGroup,
    terminationPolicies: input.terminationPolicies?.length ? input.terminationPolicies : ['Default'],
    newInstancesProtectedFromScaleIn: input.newInstancesProtectedFromScaleIn ?? false,
    suspendedProcesses: [],
    tags: input.tags,
    createdTime: deps.clock.now(),
    deleting: false,
    version: 0,
  };
}

/**
 * Creates a group (a Phantom domain when its tags carry PHANTOM_DEFINITION). Validates the
 * launch configuration, sizes, tags and placement before storing anything. A plain AWS group
 * needs AvailabilityZones or a VPC subnet; a domain's `clouds` tag names its sites instead.
 * A domain whose caps are all finite may not desire more than their sum.
 * @throws PhantomError Validation, NotFound (launch configuration), LimitExceeded, AlreadyExists.
 */
export async function createGroup(
  deps: ServiceDeps,
  user: User,
  input: NewGroup,
): Promise<{ group: GroupRecord; effect: WriteEffect }> {
  checkNewName(input.name);
  checkCapacity({
    minSize: input.minSize,
    maxSize: input.maxSize,
    desiredCapacity: input.desiredCapacity ?? input.minSize,
  });
  if (input.availabilityZones.length === 0 && !input.vpcZoneIdentifier && !isPhantomDomain(input.tags))
    throw invalid('At least one Availability Zone or VPC Subnet is required.');
  checkTags(input.name, input.tags, deps.healthCheckAllowHosts);
  const limit = limitsOf(deps, user).maxGroups;
  const group = await deps.store.transaction(async (tx) => {
    const lc = await requireLaunchConfiguration(tx, user.id, input.launchConfigurationName);
    const group = newGroupRecord(deps, user.id, input, lc.name);
    checkWithinCaps(group, await placementOf(tx, deps.sites(), group));
    checkSensor(group);
    if ((await tx.countGroups(user.id)) >= limit && !(await tx.getGroup(user.id, input.name))) {
      throw new PhantomError(
        'LimitExceeded',
        `You have reached the limit of ${limit} Auto Scaling groups (DescribeAccountLimits shows it).`,
      );
    }
    await checkInstanceLimit(tx, deps, user, { group: group.name, desiredCapacity: group.desiredCapacity });
    await tx.createGroup(group);
    return group;
  });
  return { group, effect: touchedGroups(group.name) };
}

/**
 * Loads a group for a change: it must exist (by name or exact ARN) and not be in the middle of deletion.
 * @throws PhantomError NotFound; ScalingActivityInProgress when the group is being deleted.
 */
export async function groupForChange(store: Store, user: User, ref: string): Promise<GroupRecord> {
  const group = await requireGroup(store, user.id, ref);
  if (group.deleting)
    throw new PhantomError('ScalingActivityInProgress', `AutoScalingGroup ${group.name} is being deleted.`);
  return group;
}

/**
 * UpdateAutoScalingGroup: only given fields change; sizes follow AWS's min/max → desired rule.
 * A change of size is checked against a domain's caps ({@link checkWithinCaps}).
 * @param ref The group's name or ARN.
 * @throws PhantomError NotFound, Validation, ScalingActivityInProgress (group being deleted), LimitExceeded.
 */
export async function updateGroup(
  deps: ServiceDeps,
  user: User,
  ref: string,
  changes: GroupChanges,
): Promise<{ group: GroupRecord; effect: WriteEffect }> {
  const group = await deps.store.transaction(async (tx) => {
    const group = await groupForChange(tx, user, ref);
    const launchConfigurationName =
      changes.launchConfigurationName === undefined
        ? undefined
        : (await requireLaunchConfiguration(tx, user.id, changes.launchConfigurationName)).name;
    const sizes = { minSize: changes.minSize, maxSize: changes.maxSize, desiredCapacity: changes.desiredCapacity };
    const capacity = updateCapacity(group, sizes);
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
    const next: GroupRecord = {
      ...group,
      ...defined,
      ...capacity,
      launchConfigurationName: launchConfigurationName ?? group.launchConfigurationName,
    };
    if (next.terminationPolicies.length === 0) next.terminationPolicies = ['Default'];
    const placement = await placementOf(tx, deps.sites(), next);
    if (Object.values(sizes).some((v) => v !== undefined)) checkWithinCaps(capacity, placement);
    checkSensor(next);
    await checkInstanceLimit(tx, deps, user, { group: group.name, desiredCapacity: next.desiredCapacity });
    return tx.updateGroup(next);
  });
  return { group, effect: touchedGroups(group.name) };
}

/**
 * SetDesiredCapacity (Phantom domains: min = max = N, within the caps; plain groups: min ≤ N ≤ max).
 * @param ref The group's name or ARN.
 * @throws PhantomError NotFound, Validation, ScalingActivityInProgress, LimitExceeded.
 */
export async function setDesiredCapacity(
  deps: ServiceDeps,
  user: User,
  ref: string,
  desired: number,
): Promise<{ group: GroupRecord; effect: WriteEffect }> {
  const group = await deps.store.transaction(async (tx) => {
    const group = await groupForChange(tx, user, ref);
    const domain = isPhantomDomain(group.tags);
    const capacity = setDesired(group, desired, pinsCapacity(group.tags));
    if (domain) checkWithinCaps(capacity, await placementOf(tx, deps.sites(), group));
    await checkInstanceLimit(tx, deps, user, { group: group.name, desiredCapacity: capacity.desiredCapacity });
    return tx.updateGroup({ ...group, ...capacity });
  });
  return { group, effect: touchedGroups(group.name) };
}

/**
 * DeleteAutoScalingGroup. A group with live instances is refused without ForceDelete, except
 * Phantom domains (the seed's asg_delete never forces). Live instances are marked Terminating
 * and the record stays, shown as "Delete in progress", until the controller has terminated
 * them; a group without live instances goes at once. Deleting again is accepted.
 * @param ref The group's name or ARN.
 * @throws PhantomError NotFound, ScalingActivityInProgress.
 */
export async function deleteGroup(
  deps: ServiceDeps,
  user: User,
  ref: string,
  forceDelete: boolean,
): Promise<{ effect: WriteEffect }> {
  const name = await deps.store.transaction(async (tx) => {
    const group = await requireGroup(tx, user.id, ref);
    const name = group.name;
    const live = (await tx.listInstances(user.id, { groupName: name })).filter(
      (i) => i.lifecycleState !== 'Terminated',
    );
    if (live.length === 0) {
      await tx.deleteGroup(user.id, name);
      return name;
    }
    if (group.deleting) return name;
    if (!forceDelete && !isPhantomDomain(group.tags)) {
      throw new PhantomError(
        'ScalingActivityInProgress',
        'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
      );
    }
    const now = deps.clock.now();
    for (const instance of live) {
      if (instance.lifecycleState === 'Terminating') continue;
      await tx.putInstance({ ...instance, lifecycleState: 'Terminating' });
      await recordTermination(
        tx,
        instance,
        now,
        `At ${now.toISOString()} instance ${instance.instanceId} was taken out of service in response to a user request to delete the group.`,
      );
    }
    await tx.updateGroup({ ...group, deleting: true, minSize: 0, maxSize: 0, desiredCapacity: 0 });
    return name;
  });
  return { effect: touchedGroups(name) };
}

/**
 * Suspends (or resumes) processes; an empty list means all of them.
 * @param ref The group's name or ARN.
 * @throws PhantomError NotFound, Validation (unknown process name).
 */
export async function setProcessesSuspended(
  deps: ServiceDeps,
  user: User,
  ref: string,
  processes: string[],
  suspend: boolean,
  all: readonly string[],
): Promise<{ effect: WriteEffect }> {
  const unknown = processes.find((p) => !all.includes(p));
  if (unknown !== undefined) throw invalid(`Invalid processes: [${unknown}]. Valid processes are: ${all.join(', ')}`);
  const chosen = processes.length > 0 ? processes : [...all];
  const name = await deps.store.transaction(async (tx) => {
    const group = await requireGroup(tx, user.id, ref);
    const kept = group.suspendedProcesses.filter((p) => !chosen.includes(p.processName));
    const reason = `User suspended at ${causeTime(deps.clock.now())}`;
    const added = suspend
      ? chosen.map(
          (processName) =>
            group.suspendedProcesses.find((p) => p.processName === processName) ?? {
              processName,
              suspensionReason: reason,
            },
        )
      : [];
    await tx.updateGroup({
      ...group,
      suspendedProcesses: [...kept, ...added].sort((a, b) => all.indexOf(a.processName) - all.indexOf(b.processName)),
    });
    return group.name;
  });
  return { effect: touchedGroups(name) };
}
