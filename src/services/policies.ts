import { randomUUID } from 'node:crypto';
import { PhantomError } from '../contracts/errors.ts';
import type { GroupRecord, User, UserId } from '../contracts/records.ts';
import { POLICY_LIMITS, type ScalingPolicy, type ScalingPolicyRecord } from '../contracts/scaling-policy.ts';
import type { Store } from '../contracts/store.ts';
import { isAutoScalingArn, scalingPolicyArn, scalingPolicyArnParts } from '../domain/arn.ts';
import { adjustedCapacity, selectStep, type Adjustment } from '../domain/policy-math.ts';
import { checkNewName, requireGroup } from './addressing.ts';
import { invalid, type ServiceDeps } from './deps.ts';
import { causeTime, instantActivity } from './activities.ts';
import { applyDesired } from './desired-change.ts';
import { groupForChange } from './groups.ts';
import { targetTrackingCapacity, warmingInstancesOf } from './policy-target.ts';
import { stepScalingOutcome } from '../engines/policies/gates.ts';
import { policyFromInput, type PolicyInput } from './policy-input.ts';
import { deletePolicyAlarms, syncTargetTrackingAlarms, type PolicyAlarm } from './policy-alarms.ts';
import { touchedGroups, type WriteEffect } from './write-effect.ts';

/** The ARN of a stored policy (derived; never stored). */
export const policyArnOf = (r: ScalingPolicyRecord): string =>
  scalingPolicyArn(r.owner, r.policyId, r.groupName, r.policy.policyName);

/** AWS's wording for an unknown policy, with `ref` as given. */
export const policyNotFound = (ref: string): PhantomError =>
  new PhantomError(
    'NotFound',
    `Policy name not found - Policy ${ref.length > 300 ? `${ref.slice(0, 300)}…` : ref} not found`,
  );

/**
 * PutScalingPolicy: creates the policy, or replaces the group's policy of that name (keeping its
 * ARN). Idempotent for the same input. A target tracking policy's two alarms are created or
 * updated in the same transaction (`syncTargetTrackingAlarms`).
 * @param groupRef The group's name or ARN.
 * @throws PhantomError Validation (the policy's rules, a name that reads as an ARN), NotFound
 *   (group), ScalingActivityInProgress (group being deleted), LimitExceeded (50 per group).
 */
export async function putScalingPolicy(
  deps: ServiceDeps,
  user: User,
  groupRef: string,
  input: PolicyInput,
): Promise<{ record: ScalingPolicyRecord; arn: string; alarms: PolicyAlarm[]; effect: WriteEffect }> {
  checkNewName(input.policyName);
  const policy = policyFromInput(input);
  const { record, alarms } = await deps.store.transaction(async (tx) => {
    const group = await groupForChange(tx, user, groupRef);
    const existing = await tx.getScalingPolicy(user.id, group.name, policy.policyName);
    if (!existing && (await tx.countScalingPolicies(user.id, group.name)) >= POLICY_LIMITS.policiesPerGroup)
      throw new PhantomError(
        'LimitExceeded',
        `You have reached the limit of ${POLICY_LIMITS.policiesPerGroup} scaling policies for AutoScalingGroup ${group.name}.`,
      );
    const now = deps.clock.now();
    const record: ScalingPolicyRecord = {
      owner: user.id,
      groupName: group.name,
      policyId: existing?.policyId ?? randomUUID(),
      policy,
      createdTime: existing?.createdTime ?? now,
      updatedTime: now,
    };
    await tx.putScalingPolicy(record);
    return { record, alarms: await syncTargetTrackingAlarms(tx, user, record, existing) };
  });
  return { record, arn: policyArnOf(record), alarms, effect: touchedGroups() };
}

/**
 * The owner's policy `ref` names: an ARN that is exactly one of the owner's policies' ARNs (the
 * group, when also given, must be that policy's), or a name within `groupRef`'s group. Another
 * account's ARN, another resource's ARN, or an absent name finds nothing alike.
 * @throws PhantomError NotFound (policy or group), Validation (a name without a group).
 */
export async function requirePolicy(
  store: Store,
  owner: UserId,
  ref: string,
  groupRef: string | undefined,
): Promise<ScalingPolicyRecord> {
  if (isAutoScalingArn(ref)) {
    const parts = scalingPolicyArnParts(ref);
    const record = parts && (await store.getScalingPolicyById(owner, parts.policyId));
    if (!record || policyArnOf(record) !== ref) throw policyNotFound(ref);
    if (groupRef !== undefined && (await requireGroup(store, owner, groupRef)).name !== record.groupName)
      throw policyNotFound(ref);
    return record;
  }
  if (groupRef === undefined)
    throw invalid('AutoScalingGroupName is required when PolicyName is a name rather than a policy ARN.');
  const group = await requireGroup(store, owner, groupRef);
  const record = await store.getScalingPolicy(owner, group.name, ref);
  if (!record) throw policyNotFound(ref);
  return record;
}

/**
 * DeletePolicy: deletes the policy, the alarms a target tracking policy owns, and the policy's
 * ARN from other alarms' actions (`deletePolicyAlarms`).
 * @param ref The policy's name (then `groupRef` is required) or ARN.
 * @throws PhantomError NotFound, Validation.
 */
export async function deletePolicy(
  deps: ServiceDeps,
  user: User,
  ref: string,
  groupRef: string | undefined,
): Promise<{ effect: WriteEffect }> {
  await deps.store.transaction(async (tx) => {
    const record = await requirePolicy(tx, user.id, ref, groupRef);
    await deletePolicyAlarms(tx, record);
    await tx.deleteScalingPolicy(user.id, record.groupName, record.policy.policyName);
  });
  return { effect: touchedGroups() };
}

/** How ExecutePolicy (or an alarm) asks for a policy to run. */
export interface ExecuteRequest {
  /** Optional (SimpleScaling only). Refuse while the group's cooldown runs. Alarms always honour it. */
  honorCooldown?: boolean;
  /** Required for StepScaling, refused otherwise: the aggregated metric value. */
  metricValue?: number;
  /** Required for StepScaling, refused otherwise: the alarm's threshold. */
  breachThreshold?: number;
  /** Optional. Who runs it: a user request (default) or an alarm in a state. */
  trigger?: { kind: 'user' } | { kind: 'alarm'; alarmName: string; state: string };
}

/** What executing a policy did. */
export type ExecuteOutcome =
  | { kind: 'applied'; groupName: string; policyName: string; from: number; to: number; activityId: string }
  /** The adjustment left the desired capacity as it was (e.g. at MaxSize): nothing written. */
  | { kind: 'unchanged'; groupName: string; policyName: string; desiredCapacity: number }
  /** Alarm triggers only: the policy is disabled, or the group's AlarmNotification process is suspended. */
  | { kind: 'skipped'; groupName: string; policyName: string; reason: 'disabled' | 'suspended' };

/** The adjustment the request selects from the policy, after the per-type rules of ExecutePolicy. */
function adjustmentFor(policy: ScalingPolicy, request: ExecuteRequest): Adjustment {
  const { metricValue, breachThreshold } = request;
  if (policy.policyType === 'TargetTrackingScaling')
    throw invalid(
      `Policy ${policy.policyName} is a target tracking policy; ExecutePolicy applies to simple and step policies only.`,
    );
  if (request.honorCooldown && policy.policyType !== 'SimpleScaling')
    throw invalid('HonorCooldown is only supported for policy type SimpleScaling.');
  if (policy.policyType === 'SimpleScaling') {
    if (metricValue !== undefined || breachThreshold !== undefined)
      throw invalid('MetricValue and BreachThreshold are only supported for policy type StepScaling.');
    return policy;
  }
  if (metricValue === undefined || breachThreshold === undefined)
    throw invalid('MetricValue and BreachThreshold are required for policy type StepScaling.');
  const step = selectStep(policy.stepAdjustments, metricValue, breachThreshold);
  if (!step)
    throw invalid(
      `The metric value ${metricValue} with breach threshold ${breachThreshold} does not correspond to a step adjustment of policy ${policy.policyName}.`,
    );
  return { ...policy, scalingAdjustment: step.scalingAdjustment };
}

/**
 * A simple policy honouring its cooldown: refused while a scaling activity of the group is in
 * progress, or until Cooldown (else the group's DefaultCooldown) seconds after the last
 * successful one ended.
 * @throws PhantomError ScalingActivityInProgress.
 */
async function checkCooldown(tx: Store, group: GroupRecord, cooldown: number, policyName: string, now: Date) {
  const recent = await tx.listActivities(group.owner, { groupName: group.name, limit: 20 });
  if (recent.some((a) => a.statusCode === 'InProgress' || a.statusCode === 'PreInService'))
    throw new PhantomError(
      'ScalingActivityInProgress',
      `Scaling activity is in progress for AutoScalingGroup ${group.name}; policy ${policyName} honours its cooldown and was not executed.`,
    );
  const ends = recent.filter((a) => a.statusCode === 'Successful').map((a) => (a.endTime ?? a.startTime).getTime());
  const until = Math.max(-Infinity, ...ends) + cooldown * 1000;
  if (until > now.getTime())
    throw new PhantomError(
      'ScalingActivityInProgress',
      `AutoScalingGroup ${group.name} is in its cooldown period of ${cooldown} seconds until ${causeTime(new Date(until))}; policy ${policyName} was not executed.`,
    );
}

/** A target tracking policy's capacity, invoked by one of its alarms. */
function targetCapacityOf(tx: Store, group: GroupRecord, policy: ScalingPolicy, request: ExecuteRequest, now: Date) {
  const trigger = request.trigger;
  if (policy.policyType !== 'TargetTrackingScaling' || trigger?.kind !== 'alarm')
    throw invalid(`Policy ${policy.policyName} cannot be executed this way.`);
  return targetTrackingCapacity(tx, group, policy, trigger.alarmName, request.metricValue, now);
}

/**
 * A step policy invoked by its alarm, with warm-up: the step applies to the capacity less the
 * warming instances; out only past the current capacity, in only when nothing warms.
 */
async function stepCapacityOf(tx: Store, group: GroupRecord, warmup: number | undefined, step: Adjustment, now: Date) {
  const warming = await warmingInstancesOf(tx, group, warmup, now);
  const proposed = adjustedCapacity({ ...group, desiredCapacity: group.desiredCapacity - warming }, step);
  return stepScalingOutcome({
    proposed,
    currentCapacity: group.desiredCapacity,
    warmingInstances: warming,
    minSize: group.minSize,
    maxSize: group.maxSize,
  }).desired;
}

/** AWS's cause: "At T a user request executed policy p changing the desired capacity from 2 to 4." */
function causeOf(request: ExecuteRequest, policyName: string, from: number, to: number, now: Date): string {
  const trigger = request.trigger ?? { kind: 'user' };
  const who =
    trigger.kind === 'user'
      ? 'a user request executed'
      : `a monitor alarm ${trigger.alarmName} in state ${trigger.state} triggered`;
  return `At ${causeTime(now)} ${who} policy ${policyName} changing the desired capacity from ${from} to ${to}.`;
}

/** Runs one policy in `tx` for `user` (see {@link executePolicyFor}). */
async function executeIn(
  deps: ServiceDeps,
  tx: Store,
  user: User,
  record: ScalingPolicyRecord,
  request: ExecuteRequest,
): Promise<ExecuteOutcome> {
  const { policy, groupName } = record;
  const base = { groupName, policyName: policy.policyName };
  const byAlarm = request.trigger?.kind === 'alarm';
  const adjustment =
    policy.policyType === 'TargetTrackingScaling' && byAlarm ? undefined : adjustmentFor(policy, request);
  const group = await groupForChange(tx, user, groupName);
  if (!policy.enabled) {
    if (byAlarm) return { ...base, kind: 'skipped', reason: 'disabled' };
    throw invalid(`Policy ${policy.policyName} is disabled; enable it with PutScalingPolicy to execute it.`);
  }
  if (byAlarm && group.suspendedProcesses.some((p) => p.processName === 'AlarmNotification'))
    return { ...base, kind: 'skipped', reason: 'suspended' };
  const now = deps.clock.now();
  if (policy.policyType === 'SimpleScaling' && (request.honorCooldown || byAlarm))
    await checkCooldown(tx, group, policy.cooldown ?? group.defaultCooldown, policy.policyName, now);
  const from = group.desiredCapacity;
  const to =
    adjustment === undefined
      ? (await targetCapacityOf(tx, group, policy, request, now)).to
      : policy.policyType === 'StepScaling' && byAlarm
        ? await stepCapacityOf(tx, group, policy.estimatedInstanceWarmup, adjustment, now)
        : adjustedCapacity(group, adjustment);
  if (to === from) return { ...base, kind: 'unchanged', desiredCapacity: from };
  // Between the bounds: a policy never pins a domain's min = max the way SetDesiredCapacity does.
  await applyDesired(tx, deps, user, group, to);
  const activity = instantActivity({
    owner: user.id,
    groupName,
    description: `Executing scaling policy ${policy.policyName}`,
    cause: causeOf(request, policy.policyName, from, to, now),
    at: now,
    details: JSON.stringify({ PolicyName: policy.policyName }),
  });
  await tx.putActivity(activity);
  return { ...base, kind: 'applied', from, to, activityId: activity.activityId };
}

/**
 * ExecutePolicy for a user request: the policy's adjustment is applied to the group's desired
 * capacity (kept within MinSize..MaxSize) through SetDesiredCapacity's own path (domain caps,
 * the per-user instance limit), and a Successful activity whose Cause names the policy and the
 * change is recorded.
 * @param ref The policy's name (then `groupRef` is required) or ARN.
 * @throws PhantomError NotFound, Validation (per-type rules, no matching step, disabled),
 *   ScalingActivityInProgress (cooldown honoured, group being deleted), LimitExceeded.
 */
export async function executePolicy(
  deps: ServiceDeps,
  user: User,
  ref: string,
  groupRef: string | undefined,
  request: ExecuteRequest,
): Promise<{ outcome: ExecuteOutcome; effect: WriteEffect }> {
  const outcome = await deps.store.transaction(async (tx) =>
    executeIn(deps, tx, user, await requirePolicy(tx, user.id, ref, groupRef), {
      ...request,
      trigger: { kind: 'user' },
    }),
  );
  return { outcome, effect: touchedGroups(outcome.groupName) };
}

/**
 * SEAM for alarm and target-tracking evaluation: runs the owner's policy `policyArn` (the ARN
 * in an alarm's actions) in one transaction, exactly as ExecutePolicy does, except that an
 * alarm trigger always honours a simple policy's cooldown, and skips (returns `skipped`) a
 * disabled policy or a group whose AlarmNotification process is suspended. The caller should
 * reconcile `outcome.groupName` when the outcome is `applied`.
 * @throws PhantomError NotFound (the policy, the user or the group is gone), Validation (no step
 *   matches, missing MetricValue/BreachThreshold), ScalingActivityInProgress (cooldown),
 *   LimitExceeded (instance limit).
 */
export async function executePolicyFor(
  deps: ServiceDeps,
  owner: UserId,
  policyArn: string,
  request: ExecuteRequest,
): Promise<ExecuteOutcome> {
  return deps.store.transaction(async (tx) => {
    const user = await tx.getUserById(owner);
    if (!user) throw policyNotFound(policyArn);
    return executeIn(deps, tx, user, await requirePolicy(tx, owner, policyArn, undefined), request);
  });
}
