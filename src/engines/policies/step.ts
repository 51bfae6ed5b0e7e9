import { PhantomError } from '../../contracts/errors.ts';
import type { MetricAggregationType } from '../../domain/scaling-policy.ts';

/**
 * Step scaling's reading of an alarm: its most recent datapoints reduced by the policy's
 * MetricAggregationType (AWS, "Step and simple scaling policies"). Step selection, percent
 * rounding and adjustments are `domain/policy-math.ts`. Pure.
 */

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw invalid(`${name} must be a finite number, got ${value}.`);
  return value;
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
