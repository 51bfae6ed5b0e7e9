import type { GroupRecord } from '../contracts/records.ts';
import type { TargetTrackingPolicy } from '../contracts/scaling-policy.ts';
import type { Store } from '../contracts/store.ts';
import { effectiveWarmupSeconds, warmingCount } from '../engines/policies/gates.ts';
import { targetTrackingDecision } from '../engines/policies/target-tracking.ts';
import { invalid } from './deps.ts';

/**
 * The capacity a target tracking policy asks for when one of its alarms invokes it: AWS's
 * proportional rule (out rounds up, in rounds down) on the alarm's latest value, AlarmHigh only
 * out and AlarmLow only in, within MinSize..MaxSize; instances still warming up (pending, or
 * launched less than the warm-up ago — EstimatedInstanceWarmup, else the group's DefaultCooldown)
 * count toward the current capacity and block scale-in.
 * @throws PhantomError Validation when invoked without a metric value.
 */
export async function targetTrackingCapacity(
  tx: Store,
  group: GroupRecord,
  policy: TargetTrackingPolicy,
  alarmName: string,
  metricValue: number | undefined,
  now: Date,
): Promise<{ to: number; reason: string }> {
  if (metricValue === undefined) throw invalid(`Policy ${policy.policyName} was invoked without a metric value.`);
  const warming = await warmingInstancesOf(tx, group, policy.estimatedInstanceWarmup, now);
  const decision = targetTrackingDecision({
    metricValue,
    targetValue: policy.targetTracking.targetValue,
    currentCapacity: group.desiredCapacity,
    warmingInstances: warming,
    disableScaleIn: policy.targetTracking.disableScaleIn,
    minSize: group.minSize,
    maxSize: group.maxSize,
    trigger: /-AlarmLow-/.test(alarmName) ? 'AlarmLow' : 'AlarmHigh',
  });
  return { to: decision.desired, reason: decision.reason };
}

/**
 * How many of the group's instances still warm up (pending, or launched less than the warm-up
 * ago — the policy's EstimatedInstanceWarmup, else the group's DefaultCooldown), at most the
 * desired capacity.
 */
export async function warmingInstancesOf(
  tx: Store,
  group: GroupRecord,
  policyWarmup: number | undefined,
  now: Date,
): Promise<number> {
  const warmup = effectiveWarmupSeconds({
    ...(policyWarmup !== undefined ? { policyWarmup } : {}),
    groupDefaultCooldown: group.defaultCooldown,
  });
  const instances = (await tx.listInstances(group.owner, { groupName: group.name })).filter(
    (i) => i.lifecycleState === 'Pending' || i.lifecycleState === 'InService',
  );
  const warming = warmingCount(
    instances.map((i) => ({ pending: i.lifecycleState === 'Pending', inServiceSince: i.createdTime.getTime() })),
    warmup,
    now.getTime(),
  );
  return Math.min(warming, group.desiredCapacity);
}
