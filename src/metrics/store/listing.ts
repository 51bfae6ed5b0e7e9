import type { Dimension, MetricFilter, MetricIdentity } from './types.ts';

/** Code-unit order of strings (the order of series keys). */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The index of the first key greater than `after` in ascending `keys` (binary search). */
export function firstAfter(keys: readonly string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a metric (last written at `lastReceivedMs`) passes ListMetrics' `filter`. */
export function matches(m: MetricIdentity, lastReceivedMs: number, filter: MetricFilter): boolean {
  if (filter.namespace !== undefined && m.namespace !== filter.namespace) return false;
  if (filter.metricName !== undefined && m.metricName !== filter.metricName) return false;
  if (filter.activeSinceMs !== undefined && lastReceivedMs < filter.activeSinceMs) return false;
  return (filter.dimensions ?? []).every((f) => m.dimensions.some((d) => hasDimension(d, f)));
}

const hasDimension = (d: Dimension, f: { name: string; value?: string }): boolean =>
  d.name === f.name && (f.value === undefined || d.value === f.value);
