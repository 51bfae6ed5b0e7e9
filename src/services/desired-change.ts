import type { GroupRecord, User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { checkWithinCaps } from '../domain/capacity.ts';
import { isPhantomDomain } from '../domain/placement.ts';
import type { ServiceDeps } from './deps.ts';
import { placementOf } from './groups.ts';
import { checkInstanceLimit } from './instance-limit.ts';

/**
 * Sets a group's desired capacity to `to` (already within MinSize..MaxSize) in `tx`, keeping its
 * bounds — the path of policy and sensor changes, which move the size *between* the bounds (a
 * user's SetDesiredCapacity pins a Phantom domain's min = max instead). Checks a domain's caps and
 * the per-user instance limit.
 * @throws PhantomError Validation (caps), LimitExceeded (instance limit), Conflict (a concurrent write).
 */
export async function applyDesired(
  tx: Store,
  deps: ServiceDeps,
  user: User,
  group: GroupRecord,
  to: number,
): Promise<GroupRecord> {
  if (isPhantomDomain(group.tags))
    checkWithinCaps({ ...group, desiredCapacity: to }, await placementOf(tx, deps.sites(), group));
  await checkInstanceLimit(tx, deps, user, { group: group.name, desiredCapacity: to });
  return tx.updateGroup({ ...group, desiredCapacity: to });
}
