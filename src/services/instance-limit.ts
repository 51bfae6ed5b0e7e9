import { PhantomError } from '../contracts/errors.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { limitsOf, type ServiceDeps } from './deps.ts';

/** One group's desired capacity as a write would leave it. */
export interface DesiredChange {
  group: string;
  desiredCapacity: number;
}

/**
 * Checks the per-user instance limit for a write that sets one group's desired capacity: the
 * sum of the user's desired capacities (a group being deleted counts 0), with `change` applied,
 * may not exceed the user's `maxInstances`. A change that does not raise the group's desired
 * capacity is always allowed (a user over a lowered limit can still scale in). Call it inside
 * the write's transaction, with `tx`, so concurrent writes cannot both pass. Reads only.
 * Every write that raises a desired capacity or a minimum (API actions, policies, schedules)
 * must call it.
 * @throws PhantomError LimitExceeded naming the limit and the total the write would reach.
 */
export async function checkInstanceLimit(
  tx: Store,
  deps: Pick<ServiceDeps, 'defaultLimits'>,
  user: User,
  change: DesiredChange,
): Promise<void> {
  const current = await tx.getGroup(user.id, change.group);
  const previous = current && !current.deleting ? current.desiredCapacity : 0;
  if (change.desiredCapacity <= previous) return;
  const limit = limitsOf(deps, user).maxInstances;
  const total = (await tx.sumDesiredCapacity(user.id, change.group)) + change.desiredCapacity;
  if (total > limit)
    throw new PhantomError(
      'LimitExceeded',
      `Instance limit exceeded: user ${user.name} may run at most ${limit} instances (desired capacities would total ${total}).`,
    );
}
