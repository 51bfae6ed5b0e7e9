import type { MetricRef } from '../contracts/metric-source.ts';
import type { TrackedMetric } from '../domain/scaling-policy.ts';
import { PROMETHEUS_NAMESPACE } from './prometheus/settings.ts';

/**
 * The metric a target tracking policy follows, as a MetricRef: its CustomizedMetricSpecification,
 * or the single MetricStat of its `Metrics` form. Undefined for a predefined metric (the
 * evaluator computes those itself) and for several MetricStat queries (no source combines them). Pure.
 */
export function metricRefOfTrackedMetric(metric: TrackedMetric): MetricRef | undefined {
  if (metric.kind === 'customized') return pick(metric);
  if (metric.kind === 'metrics' && metric.queries.length === 1) return pick(metric.queries[0]!);
  return undefined;
}

/**
 * A sensor domain's metric (`sensor_type=prometheus`, `metric=NAME`): the operator's named
 * Prometheus query NAME, with no dimensions. Pure.
 */
export const sensorMetricRef = (metricTag: string): MetricRef => ({
  namespace: PROMETHEUS_NAMESPACE,
  metricName: metricTag,
  dimensions: [],
});

const pick = ({ namespace, metricName, dimensions }: MetricRef): MetricRef => ({
  namespace,
  metricName,
  dimensions: dimensions.map(({ name, value }) => ({ name, value })),
});
