import { PhantomError } from '../contracts/errors.ts';
import type { UserId } from '../contracts/records.ts';
import type { ServiceDeps } from './deps.ts';
import { executePolicyFor } from './policies.ts';

/**
 * What an alarm's invocation of `policyArn` did, in words for its history: runs
 * {@link executePolicyFor} with the alarm's latest value (and its threshold as the breach
 * threshold of a step policy); the policy's own refusals (cooldown, no matching step, the
 * instance limit, a deleted policy) are outcomes, not errors.
 * @returns whether the desired capacity changed, the group to reconcile when it did, and why.
 * @throws only unexpected errors (the store).
 */
export async function invokePolicyForAlarm(
  deps: ServiceDeps,
  owner: UserId,
  policyArn: string,
  alarm: { alarmName: string; alarmState: string; metricValue?: number; threshold: number },
): Promise<{ applied: boolean; groupName?: string; reason: string }> {
  try {
    const outcome = await executePolicyFor(deps, owner, policyArn, {
      ...(alarm.metricValue !== undefined ? { metricValue: alarm.metricValue } : {}),
      breachThreshold: alarm.threshold,
      trigger: { kind: 'alarm', alarmName: alarm.alarmName, state: alarm.alarmState },
    });
    if (outcome.kind === 'applied')
      return {
        applied: true,
        groupName: outcome.groupName,
        reason: `changed the desired capacity of ${outcome.groupName} from ${outcome.from} to ${outcome.to}`,
      };
    if (outcome.kind === 'unchanged') return { applied: false, reason: `no change (${outcome.desiredCapacity})` };
    return { applied: false, reason: `skipped: ${outcome.reason}` };
  } catch (error) {
    if (error instanceof PhantomError) return { applied: false, reason: error.message };
    throw error;
  }
}
