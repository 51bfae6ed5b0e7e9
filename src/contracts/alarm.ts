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

/** An alarm as the store keeps it: its definition and its state. */
export interface AlarmRecord {
  readonly owner: string;
  readonly arn: string;
  readonly definition: AlarmDefinition;
  readonly state: AlarmState;
  readonly stateReason: string;
  /** JSON text, as CloudWatch's StateReasonData (SetAlarmState's, or the evaluator's). */
  readonly stateReasonData?: string;
  readonly stateUpdatedTime: Date;
  readonly configurationUpdatedTime: Date;
  /** When the alarm last invoked its actions (in ALARM it invokes them again every minute). */
  readonly lastActionTime?: Date;
  /** The target tracking policy (its ARN) that owns this alarm: deleted with it, not by the user. */
  readonly ownerPolicyArn?: string;
}

/** A state change, as SetAlarmState or the evaluator makes it. */
export interface AlarmStateChange {
  readonly state: AlarmState;
  readonly reason: string;
  readonly reasonData?: string;
  readonly at: Date;
}

/** The kinds of alarm history item (DescribeAlarmHistory's HistoryItemType). */
export type AlarmHistoryType = 'ConfigurationUpdate' | 'StateUpdate' | 'Action';

/** One alarm history item. */
export interface AlarmHistoryItem {
  readonly owner: string;
  readonly alarmName: string;
  readonly type: AlarmHistoryType;
  readonly timestamp: Date;
  readonly summary: string;
  /** JSON text (CloudWatch's HistoryData). */
  readonly data: string;
}

/** Which of an owner's alarms to list, in name order. */
export interface AlarmListQuery {
  /** Only these names (unknown names are skipped). */
  readonly names?: readonly string[];
  readonly namePrefix?: string;
  readonly state?: AlarmState;
  /** Exclusive: names after this one. */
  readonly after?: string;
  readonly limit: number;
}

/** Which of an owner's history items to list, newest first. */
export interface AlarmHistoryQuery {
  readonly alarmName?: string;
  readonly type?: AlarmHistoryType;
  /** Inclusive bounds on the timestamp. */
  readonly start?: Date;
  readonly end?: Date;
  /** Exclusive cursor from a previous page: the last item's `cursor`. */
  readonly before?: string;
  readonly limit: number;
}
