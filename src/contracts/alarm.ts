import type { MetricDimension, MetricStatistic } from './scaling-policy.ts';

/** The typed model of a CloudWatch metric alarm as Phantom keeps it. Plain data. */

/** An alarm's state. A new alarm starts in INSUFFICIENT_DATA. */
export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The static-threshold comparisons (the anomaly-band ones need metric math, which Phantom refuses). */
export type ComparisonOperator =
  'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold' | 'LessThanThreshold' | 'LessThanOrEqualToThreshold';

/** How periods without a datapoint count (default `missing`). */
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** The metric an alarm watches. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** Sorted by name: two alarms on the same series compare equal. */
  readonly dimensions: readonly MetricDimension[];
  readonly statistic: MetricStatistic;
  readonly unit?: string;
}

/** A validated alarm definition (what PutMetricAlarm sets; the state is kept beside it). */
export interface AlarmDefinition {
  readonly name: string;
  readonly description?: string;
  readonly metric: AlarmMetric;
  /** Seconds: 10, 20, 30 or a multiple of 60. */
  readonly period: number;
  readonly evaluationPeriods: number;
  /** M of the N evaluation periods that must breach (1 ≤ M ≤ N). */
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly treatMissingData: TreatMissingData;
  readonly actionsEnabled: boolean;
  /** Scaling policy ARNs invoked in each state (at most 5 each). */
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
}
