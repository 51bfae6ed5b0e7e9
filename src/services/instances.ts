import { PhantomError } from '../contracts/errors.ts';
import type { ActivityRecord, HealthStatus, User } from '../contracts/records.ts';
import { decrementDesired } from '../domain/capacity.ts';
import { pinsCapacity } from '../domain/placement.ts';
import { recordTermination } from './activities.ts';
import type { ServiceDeps } from './deps.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';

const instanceNotFound = (id: string) =>
  new PhantomError('NotFound', `Instance Id not found - No managed instance found for instance ID: ${id}`);

/**
 * TerminateInstanceInAutoScalingGroup: marks the instance Terminating (the controller makes
 * the cloud call) and returns the termination activity. With decrement, the group shrinks
 * (a Phantom domain pins min = max = N-1); without, the controller launches a replacement.
 * Terminating an instance already on its way out returns a new activity and changes nothing.
 * @throws PhantomError NotFound (unknown instance id or other owner's), Validation.
 */
export async function terminateInstance(
  deps: ServiceDeps,
  user: User,
  instanceId: string,
  decrement: boolean,
): Promise<{ activity: ActivityRecord; effect: WriteEffect }> {
  const activity = await deps.store.transaction(async (tx) => {
    const instance = await tx.getInstance(user.id, instanceId);
    if (!instance) throw instanceNotFound(instanceId);
    const group = await tx.getGroup(user.id, instance.groupName);
    if (!group) throw instanceNotFound(instanceId);
    const now = deps.clock.now();
    const leaving = instance.lifecycleState === 'Terminating' || instance.lifecycleState === 'Terminated';
    let cause = `At ${now.toISOString()} instance ${instanceId} was taken out of service in response to a user request`;
    if (decrement && !leaving && !group.deleting) {
      const capacity = decrementDesired(group, pinsCapacity(group.tags));
      cause += `, shrinking the capacity from ${group.desiredCapacity} to ${capacity.desiredCapacity}`;
      await tx.updateGroup({ ...group, ...capacity });
    }
    if (!leaving) await tx.putInstance({ ...instance, lifecycleState: 'Terminating' });
    return recordTermination(tx, instance, now, `${cause}.`);
  });
  return { activity, effect: touchedGroups(activity.groupName) };
}

/**
 * SetInstanceHealth. Respecting the grace period (the default), a change inside the group's
 * HealthCheckGracePeriod after launch is ignored, as AWS does.
 * @throws PhantomError NotFound.
 */
export async function setInstanceHealth(
  deps: ServiceDeps,
  user: User,
  instanceId: string,
  health: HealthStatus,
  respectGracePeriod: boolean,
): Promise<{ effect: WriteEffect }> {
  return deps.store.transaction(async (tx) => {
    const instance = await tx.getInstance(user.id, instanceId);
    if (!instance) throw instanceNotFound(instanceId);
    const group = await tx.getGroup(user.id, instance.groupName);
    if (!group) throw instanceNotFound(instanceId);
    const inGrace = deps.clock.now().getTime() - instance.createdTime.getTime() < group.healthCheckGracePeriod * 1000;
    if (respectGracePeriod && inGrace) return { effect: touchedGroups() };
    await tx.putInstance({ ...instance, healthStatus: health });
    return { effect: touchedGroups(group.name) };
  });
}
