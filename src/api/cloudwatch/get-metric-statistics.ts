import type { WindowStats } from '../../metrics/store/types.ts';
import type { XmlValue } from '../query/xml.ts';
import { readMetric, readPeriod, readRange, STANDARD_UNITS, type CloudWatchAction } from './action.ts';
import { CwError, invalidValue } from './errors.ts';
import type { InputReader } from './input.ts';

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];
/** GetMetricStatistics returns at most this many datapoints. */
export const MAX_STATISTICS_DATAPOINTS = 1440;

/** The value of one statistic of a window. */
export function statisticOf(w: WindowStats, s: Statistic): number {
  switch (s) {
    case 'SampleCount':
      return w.sampleCount;
    case 'Average':
      return w.sum / w.sampleCount;
    case 'Sum':
      return w.sum;
    case 'Minimum':
      return w.minimum;
    case 'Maximum':
      return w.maximum;
  }
}

/** GetMetricStatistics over the caller's own metric; ExtendedStatistics (percentiles) are refused. */
export const getMetricStatisticsAction: CloudWatchAction = {
  name: 'GetMetricStatistics',
  handle(ctx, input, r) {
    const metric = readMetric(r, input);
    const { startMs, endMs } = readRange(r, input);
    const periodSeconds = readPeriod(r, input, 'Period');
    const statistics = readStatistics(r, input);
    const unit = r.string(input, 'Unit', 'Unit', { enum: STANDARD_UNITS });
    const requested = Math.ceil((endMs - startMs) / (periodSeconds * 1000));
    if (requested > MAX_STATISTICS_DATAPOINTS) {
      throw new CwError(
        'InvalidParameterCombination',
        `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      );
    }
    const windows = ctx.store.statistics(ctx.user.id, {
      metric,
      startMs,
      endMs,
      periodSeconds,
      ...(unit !== undefined ? { unit } : {}),
    });
    return {
      Label: metric.metricName,
      Datapoints: windows.map((w) => {
        const point: Record<string, XmlValue> = { Timestamp: new Date(w.timestampMs) };
        for (const s of STATISTICS) if (statistics.includes(s)) point[s] = statisticOf(w, s);
        point.Unit = w.unit;
        return point;
      }),
    };
  },
};

function readStatistics(r: InputReader, input: Record<string, unknown>): Statistic[] {
  const extended = r.list(input, 'ExtendedStatistics', 'ExtendedStatistics', 10);
  if (extended && extended.length > 0)
    throw invalidValue('Phantom does not support ExtendedStatistics (percentiles); ask for Statistics instead.');
  const list = r.list(input, 'Statistics', 'Statistics', 5) ?? [];
  if (list.length === 0)
    throw new CwError(
      'InvalidParameterCombination',
      'Must specify either Statistics or ExtendedStatistics, but not both.',
    );
  return list.map(
    (v, i) => r.requiredString({ v }, 'v', `Statistics.member.${i + 1}`, { enum: STATISTICS }) as Statistic,
  );
}
