import { createHash } from 'node:crypto';
import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord, ScheduledActionRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { runAfter } from '../domain/schedule.ts';
import { causeTime, instantActivity } from './activities.ts';
import type { ServiceDeps } from './deps.ts';
import { updateGroup } from './groups.ts';

/** What running one due action did. */
export type ScheduledRunOutcome =
  /** The sizes were set (a Successful activity records it); the group wants reconciling. */
  | { kind: 'applied'; owner: string; groupName: string; activityId: string }
  /** The change was refused (instance limit, bounds, caps): a Failed activity says why. */
  | { kind: 'failed'; owner: string; groupName: string; activityId: string }
  /** Not run: the group's ScheduledActions process is suspended, or the group is gone or being deleted. */
  | { kind: 'skipped'; owner: string; groupName: string; reason: 'suspended' | 'no-group' }
  /** Someone else already ran it, or it was replaced or deleted, since it was read: nothing done. */
  | { kind: 'stale' };

/** The id of the activity of the run due at `due`: one run, one id (UUID-shaped, as AWS's are). */
export function scheduledRunActivityId(action: ScheduledActionRecord, due: Date): string {
  const hex = createHash('sha256')
    .update(`scheduled\u0000${action.owner}\u0000${action.groupName}\u0000${action.name}\u0000${due.toISOString()}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** "min: 1, max: 5, desired: 3" of the sizes given (a refused run names only what it asked for). */
const constraints = (sizes: { minSize?: number; maxSize?: number; desiredCapacity?: number }): string =>
  [
    sizes.minSize === undefined ? undefined : `min: ${sizes.minSize}`,
    sizes.maxSize === undefined ? undefined : `max: ${sizes.maxSize}`,
    sizes.desiredCapacity === undefined ? undefined : `desired: ${sizes.desiredCapacity}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');

/** AWS's cause of a scheduled update, e.g. "At T a scheduled action update of AutoScalingGroup constraints to min: 1, max: 5, desired: 3 changing the desired capacity from 2 to 3. …". */
function appliedCause(action: ScheduledActionRecord, due: Date, now: Date, before: GroupRecord, after: GroupRecord) {
  const change =
    before.desiredCapacity === after.desiredCapacity
      ? ''
      : ` changing the desired capacity from ${before.desiredCapacity} to ${after.desiredCapacity}`;
  return (
    `At ${causeTime(due)} a scheduled action update of AutoScalingGroup constraints to ${constraints(after)}${change}.  ` +
    `At ${causeTime(now)} the scheduled action ${action.name} executed.`
  );
}

async function recordRun(
  tx: Store,
  action: ScheduledActionRecord,
  due: Date,
  now: Date,
  result: { cause: string } & ({ ok: true } | { ok: false; message: string }),
): Promise<string> {
  const activity = instantActivity({
    activityId: scheduledRunActivityId(action, due),
    owner: action.owner,
    groupName: action.groupName,
    description: `Executing scheduled action ${action.name}`,
    cause: result.cause,
    at: now,
    ...(result.ok ? {} : { failure: result.message }),
    details: JSON.stringify({ ScheduledActionName: action.name }),
  });
  await tx.putActivity(activity);
  return activity.activityId;
}

/**
 * Runs one due action (as `listDueScheduledActions` returned it), in one transaction: the run is
 * claimed by moving the action to its next run (or deleting a one-off, or a recurring one past its
 * EndTime) with `finishScheduledRun`, and the sizes are set through UpdateAutoScalingGroup's own
 * rules and checks (bounds, domain caps, the per-user instance limit). A refusal of those becomes a
 * Failed activity (the action still moves on); a success a Successful one. So a due run is applied
 * at most once, even when two schedulers race or the process dies mid-way (then nothing was written).
 * A group whose ScheduledActions process is suspended is left alone and the run skipped (AWS does
 * not run, on resume, actions whose time passed while suspended).
 * @throws only unexpected errors (the store failing); then nothing was written.
 */
export async function runScheduledAction(
  deps: ServiceDeps,
  action: ScheduledActionRecord,
): Promise<ScheduledRunOutcome> {
  const due = action.nextRunTime;
  const now = deps.clock.now();
  const { owner, groupName } = action;
  return deps.store.transaction(async (tx): Promise<ScheduledRunOutcome> => {
    if (!(await tx.finishScheduledRun(action, due, runAfter(action, due, now)))) return { kind: 'stale' };
    const group = await tx.getGroup(owner, groupName);
    const user = await tx.getUserById(owner);
    if (!group || group.deleting || !user) return { kind: 'skipped', owner, groupName, reason: 'no-group' };
    if (group.suspendedProcesses.some((p) => p.processName === 'ScheduledActions'))
      return { kind: 'skipped', owner, groupName, reason: 'suspended' };
    const sizes = { minSize: action.minSize, maxSize: action.maxSize, desiredCapacity: action.desiredCapacity };
    try {
      const { group: after } = await updateGroup({ ...deps, store: tx }, user, groupName, sizes);
      const activityId = await recordRun(tx, action, due, now, {
        ok: true,
        cause: appliedCause(action, due, now, group, after),
      });
      return { kind: 'applied', owner, groupName, activityId };
    } catch (error) {
      if (!(error instanceof PhantomError) || error.code === 'Conflict') throw error;
      const activityId = await recordRun(tx, action, due, now, {
        ok: false,
        message: error.message,
        cause: `At ${causeTime(due)} a scheduled action update of AutoScalingGroup constraints to ${constraints(sizes)} was refused: ${error.message}  At ${causeTime(now)} the scheduled action ${action.name} failed.`,
      });
      return { kind: 'failed', owner, groupName, activityId };
    }
  });
}
