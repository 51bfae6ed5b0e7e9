import type { AdjustmentType, StepAdjustment } from '../contracts/scaling-policy.ts';
import { POLICY_LIMITS } from '../contracts/scaling-policy.ts';

/**
 * AWS's rules for scaling policies as pure functions: the validation of step adjustments, the
 * choice of a step by how far the metric is from the alarm threshold, and applying an
 * adjustment to a group's desired capacity (percent rounding, MinAdjustmentMagnitude, bounds).
 */

const lowerOf = (s: StepAdjustment): number => s.metricIntervalLowerBound ?? -Infinity;
const upperOf = (s: StepAdjustment): number => s.metricIntervalUpperBound ?? Infinity;
const show = (n: number): string => (n === -Infinity ? 'null' : n === Infinity ? 'null' : String(n));

/** The first rule a single step breaks, or undefined. */
function stepProblem(step: StepAdjustment, index: number): string | undefined {
  const at = `Step adjustment ${index + 1}`;
  const { metricIntervalLowerBound: lower, metricIntervalUpperBound: upper } = step;
  if (lower === undefined && upper === undefined)
    return `${at}: MetricIntervalLowerBound and MetricIntervalUpperBound cannot both be null.`;
  if (lower !== undefined && upper !== undefined && !(upper > lower))
    return `${at}: MetricIntervalUpperBound (${upper}) must be greater than MetricIntervalLowerBound (${lower}).`;
  return undefined;
}

/** The first rule the set of steps as a whole breaks (null bounds, overlaps, gaps), or undefined. */
function setProblem(steps: readonly StepAdjustment[]): string | undefined {
  const nullLowers = steps.filter((s) => s.metricIntervalLowerBound === undefined).length;
  const nullUppers = steps.filter((s) => s.metricIntervalUpperBound === undefined).length;
  if (nullLowers > 1) return 'At most one step adjustment may have a null MetricIntervalLowerBound.';
  if (nullUppers > 1) return 'At most one step adjustment may have a null MetricIntervalUpperBound.';
  if (nullLowers === 0 && steps.some((s) => (s.metricIntervalLowerBound ?? 0) < 0))
    return 'A step adjustment with a null MetricIntervalLowerBound is required when a lower bound is negative.';
  if (nullUppers === 0 && steps.some((s) => (s.metricIntervalUpperBound ?? 0) > 0))
    return 'A step adjustment with a null MetricIntervalUpperBound is required when an upper bound is positive.';
  const sorted = [...steps].sort((a, b) => lowerOf(a) - lowerOf(b));
  for (let i = 1; i < sorted.length; i++) {
    const previous = upperOf(sorted[i - 1]!);
    const next = lowerOf(sorted[i]!);
    if (previous > next)
      return `Step adjustments overlap: the interval ending at ${show(previous)} overlaps the one starting at ${show(next)}.`;
    if (previous < next)
      return `Step adjustments leave a gap: nothing covers the interval from ${show(previous)} to ${show(next)}.`;
  }
  return undefined;
}

/**
 * The first of AWS's step-adjustment rules that `steps` break, as a message, or undefined when
 * they are valid: 1–20 steps; in each, not both bounds null and upper > lower; at most one null
 * lower bound (required when any lower bound is negative), at most one null upper bound
 * (required when any upper bound is positive); no overlaps and no gaps. Pure.
 */
export function stepAdjustmentsProblem(steps: readonly StepAdjustment[]): string | undefined {
  if (steps.length === 0) return 'StepAdjustments must hold at least one step adjustment.';
  if (steps.length > POLICY_LIMITS.stepAdjustmentsPerPolicy)
    return `A policy may have at most ${POLICY_LIMITS.stepAdjustmentsPerPolicy} step adjustments; got ${steps.length}.`;
  for (const [index, step] of steps.entries()) {
    const problem = stepProblem(step, index);
    if (problem) return problem;
  }
  return setProblem(steps);
}

/**
 * The step whose interval holds `metricValue − breachThreshold`, or undefined when none does.
 * At or above the threshold a step's lower bound is inclusive and its upper bound exclusive;
 * below it the lower bound is exclusive and the upper inclusive (null bounds are ∓∞). Pure.
 */
export function selectStep(
  steps: readonly StepAdjustment[],
  metricValue: number,
  breachThreshold: number,
): StepAdjustment | undefined {
  const d = metricValue - breachThreshold;
  if (Number.isNaN(d)) return undefined;
  // An absent bound is unbounded: it holds even a distance that overflowed to ±Infinity.
  const aboveLower = (s: StepAdjustment, inclusive: boolean) =>
    s.metricIntervalLowerBound === undefined ||
    (inclusive ? s.metricIntervalLowerBound <= d : s.metricIntervalLowerBound < d);
  const belowUpper = (s: StepAdjustment, inclusive: boolean) =>
    s.metricIntervalUpperBound === undefined ||
    (inclusive ? d <= s.metricIntervalUpperBound : d < s.metricIntervalUpperBound);
  return d >= 0
    ? steps.find((s) => aboveLower(s, true) && belowUpper(s, false))
    : steps.find((s) => aboveLower(s, false) && belowUpper(s, true));
}

/**
 * AWS's rounding of a percent change: above 1 rounds down, between 0 and 1 becomes 1, between
 * −1 and 0 becomes −1, below −1 rounds toward zero. Pure.
 */
export function roundPercentChange(raw: number): number {
  if (raw > 0 && raw < 1) return 1;
  if (raw < 0 && raw > -1) return -1;
  return raw >= 0 ? Math.floor(raw) : Math.ceil(raw);
}

/** What applying an adjustment needs of the group. */
export interface CapacityBounds {
  readonly desiredCapacity: number;
  readonly minSize: number;
  readonly maxSize: number;
}

/** One adjustment as a simple policy or a chosen step gives it. */
export interface Adjustment {
  readonly adjustmentType: AdjustmentType;
  readonly scalingAdjustment: number;
  /** Optional. With PercentChangeInCapacity, the change is at least this many instances. */
  readonly minAdjustmentMagnitude?: number;
}

/**
 * The desired capacity an adjustment gives the group: ChangeInCapacity adds, ExactCapacity
 * sets, PercentChangeInCapacity adds the rounded percent of the desired capacity (raised to
 * MinAdjustmentMagnitude in the adjustment's direction); the result is kept within
 * [MinSize, MaxSize]. Pure.
 */
export function adjustedCapacity(group: CapacityBounds, adjustment: Adjustment): number {
  const { adjustmentType, scalingAdjustment: n } = adjustment;
  let target: number;
  if (adjustmentType === 'ExactCapacity') target = n;
  else if (adjustmentType === 'ChangeInCapacity') target = group.desiredCapacity + n;
  else {
    let delta = roundPercentChange((group.desiredCapacity * n) / 100);
    const magnitude = adjustment.minAdjustmentMagnitude ?? 0;
    if (n > 0 && delta < magnitude) delta = magnitude;
    if (n < 0 && -delta < magnitude) delta = -magnitude;
    target = group.desiredCapacity + delta;
  }
  return Math.min(group.maxSize, Math.max(group.minSize, target));
}
