import type { MetricStatistic } from '../../contracts/scaling-policy.ts';
import type { StatisticSet } from '../store/types.ts';
import type { Datapoint } from './reason.ts';

/** One statistic of an aggregated window (Average = Sum / SampleCount). */
export function statisticValue(set: StatisticSet, statistic: MetricStatistic): number {
  switch (statistic) {
    case 'SampleCount':
      return set.sampleCount;
    case 'Average':
      return set.sum / set.sampleCount;
    case 'Sum':
      return set.sum;
    case 'Minimum':
      return set.minimum;
    case 'Maximum':
      return set.maximum;
  }
}

/**
 * The datapoints of an evaluation range: `windows[i]` aggregates the period starting at
 * `range[i]` (both oldest first, as MetricStore.windows and evaluationRange give them); a window
 * without data is a missing datapoint. Pure.
 */
export function rangeDatapoints(
  range: readonly number[],
  windows: readonly (StatisticSet | undefined)[],
  statistic: MetricStatistic,
): Datapoint[] {
  const out: Datapoint[] = [];
  range.forEach((timestamp, i) => {
    const set = windows[i];
    if (set && set.sampleCount > 0) out.push({ timestamp, value: statisticValue(set, statistic) });
  });
  return out;
}
