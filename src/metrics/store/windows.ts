import type { BucketSeries } from './buckets.ts';
import type { StatisticSet } from './types.ts';

/** A window accumulator: sampleCount 0 means no data yet. */
export interface Accumulator extends StatisticSet {
  startMs: number;
}

const emptyAccumulator = (startMs: number): Accumulator => ({
  startMs,
  sampleCount: 0,
  sum: 0,
  minimum: Infinity,
  maximum: -Infinity,
});

/**
 * Aggregates the buckets of `series` starting in [alignedStartMs, endMs) into consecutive
 * windows of `periodMs` starting at `alignedStartMs`; a bucket belongs to the window its start
 * falls in. Merges into `into` (keyed by window index) so several series can share windows.
 * Pure apart from `into`.
 */
export function aggregateWindows(
  series: BucketSeries,
  alignedStartMs: number,
  endMs: number,
  periodMs: number,
  into: Map<number, Accumulator>,
): void {
  series.forEach(alignedStartMs, endMs, (startMs, count, sum, min, max) => {
    const index = Math.floor((startMs - alignedStartMs) / periodMs);
    let acc = into.get(index);
    if (!acc) {
      acc = emptyAccumulator(alignedStartMs + index * periodMs);
      into.set(index, acc);
    }
    acc.sampleCount += count;
    acc.sum += sum;
    if (min < acc.minimum) acc.minimum = min;
    if (max > acc.maximum) acc.maximum = max;
  });
}

/** The statistic set of an accumulator, or undefined when it saw no data. */
export function toStatisticSet(acc: Accumulator | undefined): StatisticSet | undefined {
  if (!acc || acc.sampleCount === 0) return undefined;
  return { sampleCount: acc.sampleCount, sum: acc.sum, minimum: acc.minimum, maximum: acc.maximum };
}
