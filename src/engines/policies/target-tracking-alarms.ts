import { PhantomError } from '../../contracts/errors.ts';
import type { AlarmDefinition, AlarmMetric } from '../../domain/alarm.ts';
import { SCALE_IN_THRESHOLD_RATIO } from './target-tracking.ts';
import type {
  MetricStatistic,
  PredefinedMetricType,
  TargetTrackingConfiguration,
} from '../../domain/scaling-policy.ts';

/**
 * The two alarms a target tracking policy owns (AWS creates them and forbids editing them):
 * - `TargetTracking-<group>-AlarmHigh-<id>`: metric > target, 3 of 3 datapoints;
 * - `TargetTracking-<group>-AlarmLow-<id>`: metric < {@link SCALE_IN_THRESHOLD_RATIO} × target,
 *   15 of 15 datapoints; not created when DisableScaleIn is set (nothing would act on it).
 * Both at the customized metric's Period (10, 30 or 60 s; default 60) — for the predefined ASG
 * metrics {@link PREDEFINED_PERIOD_SECONDS} (Phantom's instances report every 10 s) — TreatMissingData
 * `missing` (no data ⇒ INSUFFICIENT_DATA ⇒ no scaling), and the policy ARN as their only action.
 */

/** AlarmHigh: "3 datapoints within 3 minutes". */
export const HIGH_DATAPOINTS = 3;
/** AlarmLow: "15 datapoints within 15 minutes". */
export const LOW_DATAPOINTS = 15;

/**
 * The period of a predefined metric's alarms. AWS watches 1-minute data (AlarmHigh: 3 minutes);
 * Phantom's simulated instances report every 10 s, so its predefined alarms watch 30-second
 * periods: AlarmHigh acts after 90 s above the target, AlarmLow after 7.5 min below 0.7×.
 */
export const PREDEFINED_PERIOD_SECONDS = 30;

const PREDEFINED: Record<PredefinedMetricType, string> = {
  ASGAverageCPUUtilization: 'CPUUtilization',
  ASGAverageNetworkIn: 'NetworkIn',
  ASGAverageNetworkOut: 'NetworkOut',
};
const STATISTICS: readonly string[] = ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'];

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);

/** The metric and period the owned alarms watch. */
function watched(config: TargetTrackingConfiguration, groupName: string): { metric: AlarmMetric; period: number } {
  const m = config.metric;
  if (m.kind === 'predefined') {
    const dimensions = [{ name: 'AutoScalingGroupName', value: groupName }];
    return {
      metric: {
        namespace: 'AWS/EC2',
        metricName: PREDEFINED[m.predefinedMetricType],
        dimensions,
        statistic: 'Average',
      },
      period: PREDEFINED_PERIOD_SECONDS,
    };
  }
  if (m.kind === 'customized') {
    const { namespace, metricName, statistic, unit } = m;
    const dimensions = [...m.dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      metric: { namespace, metricName, dimensions, statistic, ...(unit !== undefined ? { unit } : {}) },
      period: m.period,
    };
  }
  const returned = m.queries.filter((q) => q.returnData !== false);
  if (returned.length !== 1)
    throw invalid(`A target tracking metric needs exactly one query with ReturnData true, got ${returned.length}.`);
  const q = returned[0]!;
  if (!STATISTICS.includes(q.stat))
    throw invalid(
      `Stat ${q.stat.slice(0, 64)} is not supported for target tracking: use one of ${STATISTICS.join(', ')}.`,
    );
  const dimensions = [...q.dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const metric: AlarmMetric = {
    namespace: q.namespace,
    metricName: q.metricName,
    dimensions,
    statistic: q.stat as MetricStatistic,
    ...(q.unit !== undefined ? { unit: q.unit } : {}),
  };
  return { metric, period: q.period ?? 60 };
}

/** `x` rounded to 12 significant digits, so 0.7 × 40 is 28 and not 27.999999999999996. */
const tidy = (x: number): number => Number(x.toPrecision(12));

/** Input of {@link targetTrackingAlarms}. */
export interface OwnedAlarmsInput {
  readonly groupName: string;
  readonly policyArn: string;
  readonly config: TargetTrackingConfiguration;
  /** Required. Fresh ids (uuids) for the alarm names; the caller makes them, so this stays pure. */
  readonly ids: { readonly high: string; readonly low: string };
}

/**
 * The owned alarms' definitions: AlarmHigh, then AlarmLow unless DisableScaleIn.
 * @throws PhantomError Validation for a non-finite or non-positive target, or a Metrics list
 * without exactly one returned query of a plain statistic.
 */
export function targetTrackingAlarms(input: OwnedAlarmsInput): AlarmDefinition[] {
  const { config, groupName, policyArn } = input;
  if (!Number.isFinite(config.targetValue) || config.targetValue <= 0)
    throw invalid(`TargetValue must be a finite number greater than 0, got ${config.targetValue}.`);
  const { metric, period } = watched(config, groupName);
  const common = {
    description: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
    metric,
    period,
    treatMissingData: 'missing' as const,
    actionsEnabled: true,
    alarmActions: [policyArn],
    okActions: [],
    insufficientDataActions: [],
  };
  const high: AlarmDefinition = {
    ...common,
    name: `TargetTracking-${groupName}-AlarmHigh-${input.ids.high}`,
    evaluationPeriods: HIGH_DATAPOINTS,
    datapointsToAlarm: HIGH_DATAPOINTS,
    threshold: config.targetValue,
    comparisonOperator: 'GreaterThanThreshold',
  };
  if (config.disableScaleIn) return [high];
  const low: AlarmDefinition = {
    ...common,
    name: `TargetTracking-${groupName}-AlarmLow-${input.ids.low}`,
    evaluationPeriods: LOW_DATAPOINTS,
    datapointsToAlarm: LOW_DATAPOINTS,
    threshold: tidy(config.targetValue * SCALE_IN_THRESHOLD_RATIO),
    comparisonOperator: 'LessThanThreshold',
  };
  return [high, low];
}
