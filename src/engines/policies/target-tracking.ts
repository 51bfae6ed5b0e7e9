import { PhantomError } from '../../contracts/errors.ts';

/**
 * Target tracking's arithmetic (AWS, "Target tracking scaling policies"): the desired capacity is
 * proportional to how far the metric is from the target — current × metric / target — rounded up
 * when adding and down when removing, clamped to [MinSize, MaxSize]. It scales out when the metric
 * is above the target (AlarmHigh's condition) and in when it is below
 * {@link SCALE_IN_THRESHOLD_RATIO} × target (AlarmLow's); between the two nothing moves. Scale-in is off with
 * DisableScaleIn and blocked while any instance warms up. Several policies on a group scale out
 * if any says out and in only if all that may scale in say in. Pure; no clock.
 */

/**
 * AlarmLow's threshold as a share of the target. Console captures of EC2 Auto Scaling groups show
 * 0.7 (target 60 → 42, 40 → 28); 0.9 was seen for ECS services only (next-features §1.1.3).
 */
export const SCALE_IN_THRESHOLD_RATIO = 0.7;

/** Which way a decision moves the group. */
export type ScalingDirection = 'out' | 'in' | 'none';

/** Input of {@link targetTrackingDecision}. */
export interface TargetTrackingInput {
  /** Optional. The metric aggregated over the instances that are not warming up; undefined = no data. */
  readonly metricValue: number | undefined;
  /** Required. The policy's TargetValue (> 0). */
  readonly targetValue: number;
  /** Required. The group's current capacity, warming instances included. */
  readonly currentCapacity: number;
  /** Required. How many of those instances are still in their warm-up. */
  readonly warmingInstances: number;
  readonly disableScaleIn: boolean;
  readonly minSize: number;
  readonly maxSize: number;
  /** Optional. The owned alarm that invoked the policy: AlarmHigh only scales out, AlarmLow only in. */
  readonly trigger?: 'AlarmHigh' | 'AlarmLow';
}

/** What one policy wants. `desired` equals the current capacity when `direction` is none. */
export interface TargetTrackingDecision {
  readonly direction: ScalingDirection;
  readonly desired: number;
  /** Why, in a sentence fit for an activity's Cause or a log line. */
  readonly reason: string;
}

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

function requireCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw invalid(`${name} must be a whole number ≥ 0, got ${value}.`);
  return value;
}

function checkInput(input: TargetTrackingInput): void {
  if (!Number.isFinite(input.targetValue) || input.targetValue <= 0)
    throw invalid(`TargetValue must be a finite number greater than 0, got ${input.targetValue}.`);
  if (input.metricValue !== undefined && !Number.isFinite(input.metricValue))
    throw invalid(`The metric value must be a finite number, got ${input.metricValue}.`);
  requireCount('currentCapacity', input.currentCapacity);
  requireCount('warmingInstances', input.warmingInstances);
  requireCount('MinSize', input.minSize);
  requireCount('MaxSize', input.maxSize);
  if (input.warmingInstances > input.currentCapacity)
    throw invalid(`warmingInstances (${input.warmingInstances}) exceeds currentCapacity (${input.currentCapacity}).`);
  if (input.minSize > input.maxSize) throw invalid(`MinSize (${input.minSize}) exceeds MaxSize (${input.maxSize}).`);
}

/**
 * current × metric / target, with float noise within 1e-9 snapped to the integer
 * (5 × 0.6 is 3, not 3.0000000000000004), so exact ratios round neither way.
 */
export function proportionalCapacity(current: number, metric: number, target: number): number {
  const raw = (current * metric) / target;
  const nearest = Math.round(raw);
  return Math.abs(raw - nearest) <= 1e-9 * Math.max(1, Math.abs(raw)) ? nearest : raw;
}

const none = (current: number, reason: string): TargetTrackingDecision => ({
  direction: 'none',
  desired: current,
  reason,
});

function scaleOut(input: TargetTrackingInput, metric: number): TargetTrackingDecision {
  const { currentCapacity: current, targetValue: target, maxSize } = input;
  // Scale-from-zero (as Nomad's target-value strategy): no instance to be proportional to, so one per target's worth.
  const wanted = Math.ceil(
    current === 0 ? proportionalCapacity(1, metric, target) : proportionalCapacity(current, metric, target),
  );
  const desired = Math.min(Math.max(wanted, input.minSize), maxSize);
  if (desired <= current)
    return none(current, `metric ${metric} is above the target ${target} but the group is at MaxSize ${maxSize}`);
  return {
    direction: 'out',
    desired,
    reason: `metric ${metric} is above the target ${target}: ${current} → ${desired}`,
  };
}

function scaleIn(input: TargetTrackingInput, metric: number): TargetTrackingDecision {
  const { currentCapacity: current, targetValue: target } = input;
  if (current === 0) return none(current, `metric ${metric} is below the target ${target}; the group is empty`);
  if (input.disableScaleIn)
    return none(current, `metric ${metric} is below the target ${target}; scale-in is disabled`);
  if (input.warmingInstances > 0)
    return none(
      current,
      `metric ${metric} is below the target ${target}; scale-in waits for ${input.warmingInstances} warming instance(s)`,
    );
  const desired = Math.min(Math.max(Math.floor(proportionalCapacity(current, metric, target)), input.minSize), current);
  if (desired >= current)
    return none(current, `metric ${metric} is below the target ${target} but the group is at MinSize ${input.minSize}`);
  return {
    direction: 'in',
    desired,
    reason: `metric ${metric} is below the target ${target}: ${current} → ${desired}`,
  };
}

/**
 * The capacity one target tracking policy asks for.
 * @throws PhantomError Validation for a non-finite metric, a target ≤ 0 or non-finite, negative or
 * fractional counts, more warming instances than capacity, or MinSize > MaxSize.
 */
export function targetTrackingDecision(input: TargetTrackingInput): TargetTrackingDecision {
  checkInput(input);
  const { metricValue: metric, targetValue: target, currentCapacity: current } = input;
  if (metric === undefined) return none(current, 'no metric data (the alarm is INSUFFICIENT_DATA): no scaling');
  if (metric > target && input.trigger !== 'AlarmLow') return scaleOut(input, metric);
  if (metric < target * SCALE_IN_THRESHOLD_RATIO && input.trigger !== 'AlarmHigh') return scaleIn(input, metric);
  return none(current, `metric ${metric} needs no change against the target ${target}`);
}

/** One policy's decision, and whether that policy may scale in at all (not DisableScaleIn). */
export interface PolicyVote {
  readonly decision: TargetTrackingDecision;
  readonly scaleInEnabled: boolean;
}

/**
 * Combines the decisions of a group's target tracking policies (AWS): scale out if any policy
 * says out, to the largest desired; scale in only if every policy with scale-in enabled says in,
 * to the largest of their desired (the least removal); otherwise no change. `index` names the
 * deciding vote. Never throws.
 */
export function combineTargetTracking(
  current: number,
  votes: readonly PolicyVote[],
): TargetTrackingDecision & { readonly index?: number } {
  const pick = (direction: ScalingDirection) => {
    let best: number | undefined;
    votes.forEach((v, i) => {
      if (
        v.decision.direction === direction &&
        (best === undefined || v.decision.desired > votes[best]!.decision.desired)
      )
        best = i;
    });
    return best;
  };
  const out = pick('out');
  if (out !== undefined) return { ...votes[out]!.decision, index: out };
  const voters = votes.filter((v) => v.scaleInEnabled);
  if (voters.length === 0) return none(current, 'no policy may scale in');
  if (!voters.every((v) => v.decision.direction === 'in'))
    return none(current, 'not every policy is ready to scale in');
  const inward = pick('in')!;
  return { ...votes[inward]!.decision, index: inward };
}

/**
 * The group's aggregated metric as target tracking sees it: the average over instances that are
 * not warming up and have a value; undefined when none has. Throws on a non-finite value.
 */
export function averageExcludingWarming(
  instances: readonly { readonly value: number | undefined; readonly warming: boolean }[],
): number | undefined {
  const values = instances.filter((i) => !i.warming && i.value !== undefined).map((i) => i.value!);
  for (const v of values) if (!Number.isFinite(v)) throw invalid(`An instance's metric value is not finite: ${v}.`);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}
