import { PhantomError } from '../contracts/errors.ts';
import type { AlarmDefinition, AlarmMetric, ComparisonOperator, TreatMissingData } from '../contracts/alarm.ts';
import type { MetricStatistic } from '../contracts/scaling-policy.ts';

export type * from '../contracts/alarm.ts';

/**
 * AWS's rules for PutMetricAlarm over the alarm model of `contracts/alarm.ts`: the alarm API
 * validates with {@link validateAlarm}, the evaluator reads the {@link AlarmDefinition}.
 */

/** PutMetricAlarm's input, decoded from either wire protocol (AWS's member names). */
export interface PutMetricAlarmInput {
  AlarmName: string;
  AlarmDescription?: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: ReadonlyArray<{ Name: string; Value: string }>;
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: string;
  ActionsEnabled?: boolean;
  AlarmActions?: readonly string[];
  OKActions?: readonly string[];
  InsufficientDataActions?: readonly string[];
  Metrics?: readonly unknown[];
  ThresholdMetricId?: string;
  EvaluateLowSampleCountPercentile?: string;
}

/** AWS's limits on alarms, and Phantom's per-user count. */
export const ALARM_LIMITS = {
  nameLength: 255,
  descriptionLength: 1024,
  dimensions: 30,
  dimensionNameLength: 255,
  dimensionValueLength: 1024,
  actionsPerState: 5,
  actionLength: 1024,
  /** Period × EvaluationPeriods, for periods under an hour. */
  maxSpanSeconds: 86_400,
  alarmsPerUser: 5_000,
} as const;

const STATISTICS: readonly MetricStatistic[] = ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'];
const OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const MISSING: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw invalid(`Invalid value '${value.slice(0, 64)}' for ${field}: must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function text(field: string, value: string | undefined, max: number): string {
  if (value === undefined || value.length < 1 || value.length > max)
    throw invalid(`${field} must be 1 to ${max} characters.`);
  return value;
}

/** Seconds an alarm period may be: 10, 20, 30, or a positive multiple of 60. */
export const isAlarmPeriod = (period: number): boolean =>
  Number.isInteger(period) && (period === 10 || period === 20 || period === 30 || (period >= 60 && period % 60 === 0));

function metricOf(input: PutMetricAlarmInput): AlarmMetric {
  if (input.Metrics !== undefined || input.ThresholdMetricId !== undefined)
    throw invalid(
      'Metric math (Metrics, ThresholdMetricId) is not supported by Phantom: give MetricName and Namespace.',
    );
  if (input.ExtendedStatistic !== undefined)
    throw invalid('ExtendedStatistic (percentiles) is not supported by Phantom: give Statistic.');
  if (input.Statistic === undefined) throw invalid('Statistic is required (one of ' + STATISTICS.join(', ') + ').');
  const dimensions = input.Dimensions ?? [];
  if (dimensions.length > ALARM_LIMITS.dimensions)
    throw invalid(`At most ${ALARM_LIMITS.dimensions} Dimensions are allowed.`);
  const seen = new Set<string>();
  for (const d of dimensions) {
    text('Dimension Name', d.Name, ALARM_LIMITS.dimensionNameLength);
    text('Dimension Value', d.Value, ALARM_LIMITS.dimensionValueLength);
    if (seen.has(d.Name)) throw invalid(`Dimension ${d.Name.slice(0, 64)} is given twice.`);
    seen.add(d.Name);
  }
  return {
    namespace: text('Namespace', input.Namespace, 255),
    metricName: text('MetricName', input.MetricName, 255),
    dimensions: dimensions
      .map((d) => ({ name: d.Name, value: d.Value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    statistic: oneOf('Statistic', input.Statistic, STATISTICS),
    ...(input.Unit !== undefined ? { unit: input.Unit } : {}),
  };
}

function timing(
  input: PutMetricAlarmInput,
): Pick<AlarmDefinition, 'period' | 'evaluationPeriods' | 'datapointsToAlarm'> {
  const period = input.Period;
  if (period === undefined || !isAlarmPeriod(period))
    throw invalid('Period must be 10, 20, 30 or a multiple of 60 seconds.');
  const n = input.EvaluationPeriods;
  if (!Number.isInteger(n) || n < 1) throw invalid('EvaluationPeriods must be at least 1.');
  const span = period * n;
  if (span > (period < 3600 ? ALARM_LIMITS.maxSpanSeconds : 7 * ALARM_LIMITS.maxSpanSeconds))
    throw invalid(
      `Period × EvaluationPeriods (${span} s) must not exceed ${period < 3600 ? '86400 s (one day)' : '604800 s (one week)'}.`,
    );
  const m = input.DatapointsToAlarm ?? n;
  if (!Number.isInteger(m) || m < 1 || m > n)
    throw invalid(`DatapointsToAlarm must be from 1 to EvaluationPeriods (${n}).`);
  return { period, evaluationPeriods: n, datapointsToAlarm: m };
}

/** Each action must be one of the caller's scaling policy ARNs (Phantom has no SNS or EC2 actions). */
function actions(field: string, values: readonly string[] | undefined, account: string): string[] {
  const list = [...(values ?? [])];
  if (list.length > ALARM_LIMITS.actionsPerState)
    throw invalid(`At most ${ALARM_LIMITS.actionsPerState} ${field} are allowed.`);
  for (const arn of list) {
    text(field, arn, ALARM_LIMITS.actionLength);
    const match =
      /^arn:[^:]+:autoscaling:[^:]*:([^:]*):scalingPolicy:[^:]+:autoScalingGroupName\/.+:policyName\/.+$/.exec(arn);
    if (!match)
      throw invalid(
        `${field} may only hold scaling policy ARNs (as PutScalingPolicy returns); got ${arn.slice(0, 120)}.`,
      );
    if (match[1] !== account)
      throw invalid(`${field} names a scaling policy of another account: ${arn.slice(0, 120)}.`);
  }
  return list;
}

/**
 * Checks PutMetricAlarm's input against AWS's rules and returns the definition.
 * @param account Required. The caller's account id as it appears in their policy ARNs.
 * @throws PhantomError Validation naming the first field that breaks a rule.
 */
export function validateAlarm(input: PutMetricAlarmInput, account: string): AlarmDefinition {
  if (input.Threshold === undefined || !Number.isFinite(input.Threshold))
    throw invalid('Threshold is required and must be a finite number.');
  if (input.AlarmDescription !== undefined && input.AlarmDescription.length > ALARM_LIMITS.descriptionLength)
    throw invalid(`AlarmDescription must be at most ${ALARM_LIMITS.descriptionLength} characters.`);
  return {
    name: text('AlarmName', input.AlarmName, ALARM_LIMITS.nameLength),
    ...(input.AlarmDescription !== undefined ? { description: input.AlarmDescription } : {}),
    metric: metricOf(input),
    ...timing(input),
    threshold: input.Threshold,
    comparisonOperator: oneOf('ComparisonOperator', input.ComparisonOperator, OPERATORS),
    treatMissingData: oneOf('TreatMissingData', input.TreatMissingData ?? 'missing', MISSING),
    actionsEnabled: input.ActionsEnabled ?? true,
    alarmActions: actions('AlarmActions', input.AlarmActions, account),
    okActions: actions('OKActions', input.OKActions, account),
    insufficientDataActions: actions('InsufficientDataActions', input.InsufficientDataActions, account),
  };
}
