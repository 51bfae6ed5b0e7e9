import { PhantomError } from '../../contracts/errors.ts';
import type { AdjustmentType, MetricAggregationType, StepAdjustment } from '../../domain/scaling-policy.ts';

/**
 * Step and simple scaling arithmetic (AWS, "Step and simple scaling policies"): which step a
 * metric value falls in, how the alarm's recent datapoints are aggregated, and what capacity an
 * adjustment asks for (with AWS's percent rounding and MinAdjustmentMagnitude). Pure.
 */

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw invalid(`${name} must be a finite number, got ${value}.`);
  return value;
}

/**
 * The step whose interval holds `metric − threshold`, or undefined when none does. At or above
 * the threshold a step's lower bound is inclusive and its upper exclusive; below it, the lower is
 * exclusive and the upper inclusive. An absent lower bound is −∞, an absent upper +∞.
 * @throws PhantomError Validation for a non-finite metric or threshold.
 */
export function selectStep(
  steps: readonly StepAdjustment[],
  metric: number,
  threshold: number,
): StepAdjustment | undefined {
  const diff = finite('The metric value', metric) - finite('The threshold', threshold);
  return steps.find((s) => {
    const lower = s.metricIntervalLowerBound ?? -Infinity;
    const upper = s.metricIntervalUpperBound ?? Infinity;
    return diff >= 0 ? lower <= diff && diff < upper : lower < diff && diff <= upper;
  });
}

/**
 * The alarm's most recent datapoints reduced by the policy's MetricAggregationType.
 * @throws PhantomError Validation for no datapoints or a non-finite one.
 */
export function aggregateDatapoints(values: readonly number[], type: MetricAggregationType): number {
  if (values.length === 0) throw invalid('No datapoints to aggregate.');
  for (const v of values) finite('A datapoint', v);
  if (type === 'Minimum') return values.reduce((a, b) => Math.min(a, b));
  if (type === 'Maximum') return values.reduce((a, b) => Math.max(a, b));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * AWS's rounding of a percent change: above 1 rounds down (12.7 → 12), between 0 and 1 becomes 1,
 * between −1 and 0 becomes −1, below −1 rounds toward zero (−6.67 → −6); 0 stays 0.
 */
export function roundPercentChange(change: number): number {
  if (change > 1) return Math.floor(change);
  if (change > 0) return 1;
  if (change === 0) return 0;
  if (change >= -1) return -1;
  return Math.ceil(change);
}

/** An adjustment to apply. */
export interface Adjustment {
  readonly adjustmentType: AdjustmentType;
  readonly scalingAdjustment: number;
  /** Optional. For PercentChangeInCapacity: the least number of instances to change by. */
  readonly minAdjustmentMagnitude?: number;
}

/**
 * The capacity an adjustment asks for from `base` (before MinSize/MaxSize, which the caller applies,
 * e.g. through `stepScalingOutcome`). Never below 0.
 * @throws PhantomError Validation for a non-integer base or adjustment, or a negative MinAdjustmentMagnitude.
 */
export function adjustedCapacity(base: number, adjustment: Adjustment): number {
  if (!Number.isInteger(base) || base < 0) throw invalid(`The capacity must be a whole number ≥ 0, got ${base}.`);
  const { scalingAdjustment: n, adjustmentType: type } = adjustment;
  if (!Number.isInteger(n)) throw invalid(`ScalingAdjustment must be a whole number, got ${n}.`);
  if (type === 'ExactCapacity') return Math.max(n, 0);
  if (type === 'ChangeInCapacity') return Math.max(base + n, 0);
  const magnitude = adjustment.minAdjustmentMagnitude ?? 0;
  if (!Number.isInteger(magnitude) || magnitude < 0)
    throw invalid(`MinAdjustmentMagnitude must be a whole number ≥ 0, got ${magnitude}.`);
  const change = roundPercentChange((base * n) / 100);
  const raised = change !== 0 && Math.abs(change) < magnitude ? Math.sign(change) * magnitude : change;
  return Math.max(base + raised, 0);
}
