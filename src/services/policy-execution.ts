import { PhantomError } from '../contracts/errors.ts';
import type { User } from '../contracts/records.ts';
import { causeTime, instantActivity } from './activities.ts';
import type { ServiceDeps } from './deps.ts';
import { executePolicyFor, requirePolicy, type ExecuteOutcome, type ExecuteRequest } from './policies.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';

/** Who runs a policy: one of its alarms in a state, or a user request (ExecutePolicy). */
export type PolicyTrigger =
  | {
      kind: 'alarm';
      alarmName: string;
      alarmState: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
      /** The alarm's latest (aggregated) metric value; required by step and target tracking policies. */
      metricValue?: number;
      /** The alarm's threshold; a step policy's breach threshold. */
      threshold?: number;
    }
  | { kind: 'user'; honorCooldown: boolean; metricValue?: number; breachThreshold?: number };

/**
 * What running a policy did. `applied: false` always carries the reason (disabled, suspended,
 * cooldown, no change, a refused change …) and, except for a refused change (a Failed activity),
 * wrote nothing.
 */
export interface PolicyOutcome {
  applied: boolean;
  /** The group's desired capacity before (or, when nothing is known, 0). */
  from: number;
  /** The desired capacity after (equal to `from` when not applied). */
  to: number;
  reason: string;
  /** The activity recorded: Successful when applied, Failed when the change was refused. */
  activityId?: string;
  /** The policy's group, when the policy was found. */
  groupName?: string;
  /** What the caller hands the controller (the same poke the scheduler gives): the group when applied. */
  effect: WriteEffect;
}

function requestOf(trigger: PolicyTrigger): ExecuteRequest {
  const value = trigger.metricValue !== undefined ? { metricValue: trigger.metricValue } : {};
  if (trigger.kind === 'user')
    return {
      ...value,
      honorCooldown: trigger.honorCooldown,
      ...(trigger.breachThreshold !== undefined ? { breachThreshold: trigger.breachThreshold } : {}),
    };
  return {
    ...value,
    ...(trigger.threshold !== undefined ? { breachThreshold: trigger.threshold } : {}),
    trigger: { kind: 'alarm', alarmName: trigger.alarmName, state: trigger.alarmState },
  };
}

function outcomeOf(outcome: ExecuteOutcome): PolicyOutcome {
  const groupName = outcome.groupName;
  if (outcome.kind === 'applied')
    return {
      applied: true,
      from: outcome.from,
      to: outcome.to,
      reason: `changed the desired capacity of ${groupName} from ${outcome.from} to ${outcome.to}`,
      activityId: outcome.activityId,
      groupName,
      effect: touchedGroups(groupName),
    };
  const none = touchedGroups();
  if (outcome.kind === 'unchanged') {
    const at = outcome.desiredCapacity;
    return { applied: false, from: at, to: at, reason: `no change (desired capacity ${at})`, groupName, effect: none };
  }
  const reason =
    outcome.reason === 'disabled'
      ? `policy ${outcome.policyName} is disabled`
      : `the AlarmNotification process of ${groupName} is suspended`;
  return { applied: false, from: 0, to: 0, reason, groupName, effect: none };
}

/**
 * A change the group's rules refused (the per-user instance limit): a Failed activity naming the
 * trigger, the policy and the refusal, in its own transaction. Other refusals (cooldown, no
 * matching step, a gone policy) write nothing.
 */
async function recordRefusal(
  deps: ServiceDeps,
  owner: User,
  policyArn: string,
  trigger: PolicyTrigger,
  error: PhantomError,
): Promise<PolicyOutcome> {
  return deps.store.transaction(async (tx) => {
    const record = await requirePolicy(tx, owner.id, policyArn, undefined);
    const group = await tx.getGroup(owner.id, record.groupName);
    const at = group?.desiredCapacity ?? 0;
    const now = deps.clock.now();
    const who =
      trigger.kind === 'user'
        ? 'a user request executed'
        : `a monitor alarm ${trigger.alarmName} in state ${trigger.alarmState} triggered`;
    const activity = instantActivity({
      owner: owner.id,
      groupName: record.groupName,
      description: `Executing scaling policy ${record.policy.policyName}`,
      cause: `At ${causeTime(now)} ${who} policy ${record.policy.policyName}.`,
      at: now,
      failure: error.message,
      details: JSON.stringify({ PolicyName: record.policy.policyName }),
    });
    await tx.putActivity(activity);
    const activityId = activity.activityId;
    const groupName = record.groupName;
    return { applied: false, from: at, to: at, reason: error.message, activityId, groupName, effect: touchedGroups() };
  });
}

/**
 * Runs the owner's policy `policyArn` (exactly that ARN; another owner's addresses nothing) for
 * an alarm or a user request, in one transaction through SetDesiredCapacity's path (MinSize..MaxSize,
 * domain caps, the per-user instance limit), recording a Successful activity in AWS's wording
 * ("At T a monitor alarm A in state ALARM triggered policy p changing the desired capacity from 2
 * to 4."). Simple: ScalingAdjustment (an alarm always honours the cooldown; a user when asked).
 * Step: the step of `metricValue − threshold`. Target tracking (alarms only): the proportional
 * rule on `metricValue`, AlarmHigh scales out and AlarmLow in, with warm-up.
 * Never throws a PhantomError: a disabled policy, a suspended AlarmNotification process (alarm
 * triggers only), a closed cooldown, no matching step, a gone policy or "no change" is
 * `applied: false` with the reason and nothing written; a refused change (instance limit) is
 * `applied: false` with a Failed activity. Idempotent only in that a second run re-applies.
 * @returns the outcome; when `applied`, poke the controller with `effect` (the group).
 * @throws only unexpected errors (the store).
 */
export async function applyPolicy(
  deps: ServiceDeps,
  owner: User,
  policyArn: string,
  trigger: PolicyTrigger,
): Promise<PolicyOutcome> {
  try {
    return outcomeOf(await executePolicyFor(deps, owner.id, policyArn, requestOf(trigger)));
  } catch (error) {
    if (!(error instanceof PhantomError)) throw error;
    if (error.code === 'LimitExceeded') return recordRefusal(deps, owner, policyArn, trigger, error);
    return { applied: false, from: 0, to: 0, reason: error.message, effect: touchedGroups() };
  }
}
