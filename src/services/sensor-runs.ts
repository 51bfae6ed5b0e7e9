import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord } from '../contracts/records.ts';
import { isSensorDomain } from '../domain/placement.ts';
import type { ServiceDeps } from './deps.ts';
import { causeTime, instantActivity } from './activities.ts';
import { applyDesired } from './desired-change.ts';

/** What one sensor step asks: move the desired capacity by `delta` (the rule's step), and why. */
export interface SensorStep {
  readonly owner: string;
  readonly groupName: string;
  readonly delta: number;
  /** The metric, the average and the thresholds, as the activity's cause says them. */
  readonly reason: string;
}

/** What applying a sensor step did. */
export type SensorStepOutcome =
  | { kind: 'applied'; from: number; to: number; activityId: string }
  | { kind: 'failed'; activityId: string; message: string }
  | { kind: 'skipped'; reason: 'no-group' | 'not-sensor' | 'suspended' | 'no-change' };

/**
 * Applies one step of a sensor domain's rule in one transaction: the desired capacity moves by
 * `delta` within MinSize..MaxSize, through the domain's caps and the per-user instance limit. A
 * change is a Successful activity whose cause names the metric and thresholds; a refusal (caps,
 * limit) a Failed one. A group whose AlarmNotification process is suspended (the metric-driven
 * path) is left alone.
 * @throws only unexpected errors (the store); then nothing was written.
 */
export async function applySensorStep(deps: ServiceDeps, step: SensorStep): Promise<SensorStepOutcome> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx): Promise<SensorStepOutcome> => {
    const group = await tx.getGroup(step.owner, step.groupName);
    const user = await tx.getUserById(step.owner);
    if (!group || group.deleting || !user) return { kind: 'skipped', reason: 'no-group' };
    if (!isSensorDomain(group.tags)) return { kind: 'skipped', reason: 'not-sensor' };
    if (group.suspendedProcesses.some((p) => p.processName === 'AlarmNotification'))
      return { kind: 'skipped', reason: 'suspended' };
    const to = Math.min(Math.max(group.desiredCapacity + step.delta, group.minSize), group.maxSize);
    if (to === group.desiredCapacity) return { kind: 'skipped', reason: 'no-change' };
    const cause = `At ${causeTime(now)} the sensor rule of AutoScalingGroup ${group.name} (${step.reason})`;
    try {
      await applyDesired(tx, deps, user, group, to);
      const done = activity(
        group,
        now,
        `${cause} changed the desired capacity from ${group.desiredCapacity} to ${to}.`,
      );
      await tx.putActivity(done);
      return { kind: 'applied', from: group.desiredCapacity, to, activityId: done.activityId };
    } catch (error) {
      if (!(error instanceof PhantomError) || error.code === 'Conflict') throw error;
      const refused = activity(group, now, `${cause} asked for ${to} instances, which was refused.`, error.message);
      await tx.putActivity(refused);
      return { kind: 'failed', activityId: refused.activityId, message: error.message };
    }
  });
}

function activity(group: GroupRecord, now: Date, cause: string, failure?: string) {
  return instantActivity({
    owner: group.owner,
    groupName: group.name,
    description: 'Sensor scaling: setting the desired capacity',
    cause,
    at: now,
    ...(failure === undefined ? {} : { failure }),
  });
}
