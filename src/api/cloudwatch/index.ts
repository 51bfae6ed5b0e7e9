import type { CloudWatchAction } from './action.ts';
import { getMetricDataAction } from './get-metric-data.ts';
import { getMetricStatisticsAction } from './get-metric-statistics.ts';
import { listMetricsAction } from './list-metrics.ts';
import { putMetricDataAction } from './put-metric-data.ts';

/** The metric actions Phantom implements (alarm actions go beside them). */
export const METRIC_ACTIONS: readonly CloudWatchAction[] = [
  putMetricDataAction,
  getMetricStatisticsAction,
  getMetricDataAction,
  listMetricsAction,
];

/** The operations of the CloudWatch API 2010-08-01 (botocore 1.43.11's service model). */
export const CLOUDWATCH_OPERATIONS: readonly string[] = [
  'DeleteAlarmMuteRule',
  'DeleteAlarms',
  'DeleteAnomalyDetector',
  'DeleteDashboards',
  'DeleteInsightRules',
  'DeleteMetricStream',
  'DescribeAlarmContributors',
  'DescribeAlarmHistory',
  'DescribeAlarms',
  'DescribeAlarmsForMetric',
  'DescribeAnomalyDetectors',
  'DescribeInsightRules',
  'DisableAlarmActions',
  'DisableInsightRules',
  'EnableAlarmActions',
  'EnableInsightRules',
  'GetAlarmMuteRule',
  'GetDashboard',
  'GetInsightRuleReport',
  'GetMetricData',
  'GetMetricStatistics',
  'GetMetricStream',
  'GetMetricWidgetImage',
  'GetOTelEnrichment',
  'ListAlarmMuteRules',
  'ListDashboards',
  'ListManagedInsightRules',
  'ListMetricStreams',
  'ListMetrics',
  'ListTagsForResource',
  'PutAlarmMuteRule',
  'PutAnomalyDetector',
  'PutCompositeAlarm',
  'PutDashboard',
  'PutInsightRule',
  'PutManagedInsightRules',
  'PutMetricAlarm',
  'PutMetricData',
  'PutMetricStream',
  'SetAlarmState',
  'StartMetricStreams',
  'StartOTelEnrichment',
  'StopMetricStreams',
  'StopOTelEnrichment',
  'TagResource',
  'UntagResource',
];

/** A name → action map of `actions`. */
export const actionMap = (actions: readonly CloudWatchAction[]): ReadonlyMap<string, CloudWatchAction> =>
  new Map(actions.map((a) => [a.name, a]));
