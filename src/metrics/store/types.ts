/**
 * The metric model shared by the store, the CloudWatch API and (later) the alarm evaluator.
 * Plain data; times are epoch milliseconds.
 */

/** One dimension of a metric: a name/value pair. */
export interface Dimension {
  name: string;
  value: string;
}

/**
 * What names one metric: namespace, metric name and dimensions (sorted by name, names unique).
 * Two identities with the same dimensions in another order are the same metric.
 */
export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: readonly Dimension[];
}

/** A statistic set: what every bucket keeps. `sampleCount` > 0 in every stored set. */
export interface StatisticSet {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
}

/** One datapoint to ingest (a single value is a statistic set of one sample). */
export interface MetricDatum {
  metricName: string;
  /** Any order; the store sorts them. Names must be unique. */
  dimensions: readonly Dimension[];
  timestampMs: number;
  stats: StatisticSet;
  /** A CloudWatch StandardUnit; 'None' when the caller gave none. */
  unit: string;
  /** StorageResolution 1: also kept in 10-second buckets (for 3 hours). */
  highResolution: boolean;
}

/** One aggregated window of a statistics query. */
export interface WindowStats extends StatisticSet {
  /** Start of the window (epoch ms). */
  timestampMs: number;
  unit: string;
}

/** A statistics query over a time range (GetMetricStatistics semantics). */
export interface StatisticsQuery {
  metric: MetricIdentity;
  /** Inclusive start (epoch ms). */
  startMs: number;
  /** Exclusive end (epoch ms). */
  endMs: number;
  /** 1, 5, 10, 30 (10-second buckets) or a multiple of 60 (1-minute buckets). */
  periodSeconds: number;
  /** Optional: only data published with this unit. */
  unit?: string;
}

/** ListMetrics filters; every one given must match. */
export interface MetricFilter {
  namespace?: string;
  metricName?: string;
  /** The metric must have each of these dimensions (with this value, when a value is given). */
  dimensions?: readonly { name: string; value?: string }[];
  /** Only metrics with a datapoint received at or after this time (epoch ms). */
  activeSinceMs?: number;
}
