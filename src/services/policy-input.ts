import type {
  AdjustmentType,
  MetricAggregationType,
  MetricDimension,
  MetricStatistic,
  PredefinedMetricType,
  ScalingPolicy,
  StepAdjustment,
  TargetTrackingConfiguration,
  TargetTrackingMetricStatQuery,
  TrackedMetric,
} from '../contracts/scaling-policy.ts';
import { stepAdjustmentsProblem } from '../domain/policy-math.ts';
import { invalid } from './deps.ts';

/**
 * PutScalingPolicy's input as the API decoded it (types and lengths checked, nothing else):
 * every field optional, so the rules that depend on PolicyType are checked here, with clear
 * ValidationError texts.
 */
export interface PolicyInput {
  policyName: string;
  policyType?: string;
  adjustmentType?: string;
  scalingAdjustment?: number;
  cooldown?: number;
  minAdjustmentMagnitude?: number;
  stepAdjustments?: StepAdjustment[];
  metricAggregationType?: string;
  estimatedInstanceWarmup?: number;
  enabled?: boolean;
  targetTracking?: TargetTrackingInput;
  /** True when PredictiveScalingConfiguration was given at all. */
  predictiveScalingConfiguration?: boolean;
}

export interface TargetTrackingInput {
  targetValue?: number;
  disableScaleIn?: boolean;
  predefined?: { predefinedMetricType?: string; resourceLabel?: string };
  customized?: CustomizedMetricInput;
}

export interface CustomizedMetricInput {
  metricName?: string;
  namespace?: string;
  dimensions?: MetricDimension[];
  statistic?: string;
  unit?: string;
  period?: number;
  metrics?: MetricQueryInput[];
}

export interface MetricQueryInput {
  id: string;
  expression?: string;
  metricStat?: {
    namespace?: string;
    metricName?: string;
    dimensions?: MetricDimension[];
    stat?: string;
    unit?: string;
    period?: number;
  };
  period?: number;
  label?: string;
  returnData?: boolean;
}

const ADJUSTMENT_TYPES: readonly AdjustmentType[] = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'];
const AGGREGATIONS: readonly MetricAggregationType[] = ['Minimum', 'Maximum', 'Average'];
const STATISTICS: readonly MetricStatistic[] = ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'];
const PREDEFINED: readonly PredefinedMetricType[] = [
  'ASGAverageCPUUtilization',
  'ASGAverageNetworkIn',
  'ASGAverageNetworkOut',
];
const PERIODS = [10, 30, 60];
/** CloudWatch's rule for a metric data query Id. */
const QUERY_ID = /^[a-z][A-Za-z0-9_]{0,63}$/;

const oneOf = <T extends string>(field: string, value: string, allowed: readonly T[]): T => {
  if (!(allowed as readonly string[]).includes(value))
    throw invalid(`Invalid ${field} '${value.slice(0, 64)}'; valid values are: ${allowed.join(', ')}.`);
  return value as T;
};

/** Refuses each named field that was given: it does not apply to the policy type. */
function refuseFields(policyType: string, fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined) throw invalid(`${name} is not supported for policy type ${policyType}.`);
}

/** The adjustment type, required for simple and step policies; MinAdjustmentMagnitude only with a percent. */
function adjustmentOf(
  input: PolicyInput,
  policyType: string,
): { adjustmentType: AdjustmentType; minAdjustmentMagnitude?: number } {
  if (input.adjustmentType === undefined) throw invalid(`AdjustmentType is required for policy type ${policyType}.`);
  const adjustmentType = oneOf('AdjustmentType', input.adjustmentType, ADJUSTMENT_TYPES);
  const magnitude = input.minAdjustmentMagnitude;
  if (magnitude !== undefined && adjustmentType !== 'PercentChangeInCapacity')
    throw invalid('MinAdjustmentMagnitude may only be given with AdjustmentType PercentChangeInCapacity.');
  if (magnitude !== undefined && magnitude < 1)
    throw invalid(`MinAdjustmentMagnitude must be at least 1; got ${magnitude}.`);
  return { adjustmentType, ...(magnitude === undefined ? {} : { minAdjustmentMagnitude: magnitude }) };
}

function simplePolicy(input: PolicyInput, enabled: boolean): ScalingPolicy {
  refuseFields('SimpleScaling', {
    StepAdjustments: input.stepAdjustments,
    MetricAggregationType: input.metricAggregationType,
    EstimatedInstanceWarmup: input.estimatedInstanceWarmup,
    TargetTrackingConfiguration: input.targetTracking,
  });
  const adjustment = adjustmentOf(input, 'SimpleScaling');
  if (input.scalingAdjustment === undefined)
    throw invalid('ScalingAdjustment is required for policy type SimpleScaling.');
  if (adjustment.adjustmentType === 'ExactCapacity' && input.scalingAdjustment < 0)
    throw invalid(
      `ScalingAdjustment must be non-negative with AdjustmentType ExactCapacity; got ${input.scalingAdjustment}.`,
    );
  return {
    policyType: 'SimpleScaling',
    policyName: input.policyName,
    enabled,
    ...adjustment,
    scalingAdjustment: input.scalingAdjustment,
    ...(input.cooldown === undefined ? {} : { cooldown: input.cooldown }),
  };
}

function stepPolicy(input: PolicyInput, enabled: boolean): ScalingPolicy {
  refuseFields('StepScaling', {
    ScalingAdjustment: input.scalingAdjustment,
    Cooldown: input.cooldown,
    TargetTrackingConfiguration: input.targetTracking,
  });
  const adjustment = adjustmentOf(input, 'StepScaling');
  const steps = input.stepAdjustments;
  if (steps === undefined || steps.length === 0)
    throw invalid('StepAdjustments is required for policy type StepScaling.');
  const problem = stepAdjustmentsProblem(steps);
  if (problem) throw invalid(problem);
  if (adjustment.adjustmentType === 'ExactCapacity' && steps.some((s) => s.scalingAdjustment < 0))
    throw invalid('Each step ScalingAdjustment must be non-negative with AdjustmentType ExactCapacity.');
  return {
    policyType: 'StepScaling',
    policyName: input.policyName,
    enabled,
    ...adjustment,
    stepAdjustments: steps,
    metricAggregationType: oneOf('MetricAggregationType', input.metricAggregationType ?? 'Average', AGGREGATIONS),
    ...(input.estimatedInstanceWarmup === undefined ? {} : { estimatedInstanceWarmup: input.estimatedInstanceWarmup }),
  };
}

function trackingPolicy(input: PolicyInput, enabled: boolean): ScalingPolicy {
  refuseFields('TargetTrackingScaling', {
    AdjustmentType: input.adjustmentType,
    ScalingAdjustment: input.scalingAdjustment,
    Cooldown: input.cooldown,
    MinAdjustmentMagnitude: input.minAdjustmentMagnitude,
    StepAdjustments: input.stepAdjustments,
    MetricAggregationType: input.metricAggregationType,
  });
  if (!input.targetTracking)
    throw invalid('TargetTrackingConfiguration is required for policy type TargetTrackingScaling.');
  return {
    policyType: 'TargetTrackingScaling',
    policyName: input.policyName,
    enabled,
    targetTracking: trackingConfiguration(input.targetTracking),
    ...(input.estimatedInstanceWarmup === undefined ? {} : { estimatedInstanceWarmup: input.estimatedInstanceWarmup }),
  };
}

function trackingConfiguration(t: TargetTrackingInput): TargetTrackingConfiguration {
  if (t.targetValue === undefined) throw invalid('TargetTrackingConfiguration.TargetValue is required.');
  if (!(t.targetValue > 0))
    throw invalid(`TargetTrackingConfiguration.TargetValue must be a positive number; got ${t.targetValue}.`);
  if ((t.predefined === undefined) === (t.customized === undefined))
    throw invalid(
      'TargetTrackingConfiguration needs exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification.',
    );
  const metric = t.predefined ? predefinedMetric(t.predefined) : customizedMetric(t.customized!);
  return { targetValue: t.targetValue, disableScaleIn: t.disableScaleIn ?? false, metric };
}

function predefinedMetric(p: NonNullable<TargetTrackingInput['predefined']>): TrackedMetric {
  if (p.predefinedMetricType === undefined)
    throw invalid('PredefinedMetricSpecification.PredefinedMetricType is required.');
  if (p.predefinedMetricType === 'ALBRequestCountPerTarget')
    throw invalid(
      'PredefinedMetricType ALBRequestCountPerTarget is not supported: Phantom groups have no load balancers.',
    );
  if (p.resourceLabel !== undefined)
    throw invalid('ResourceLabel is only used with ALBRequestCountPerTarget, which is not supported.');
  return {
    kind: 'predefined',
    predefinedMetricType: oneOf('PredefinedMetricType', p.predefinedMetricType, PREDEFINED),
  };
}

function periodOf(field: string, period: number | undefined): number | undefined {
  if (period !== undefined && !PERIODS.includes(period))
    throw invalid(`${field} must be 10, 30 or 60 (seconds); got ${period}.`);
  return period;
}

function customizedMetric(c: CustomizedMetricInput): TrackedMetric {
  if (c.metrics !== undefined) {
    refuseFields('a CustomizedMetricSpecification with Metrics (give them inside MetricStat)', {
      MetricName: c.metricName,
      Namespace: c.namespace,
      Dimensions: c.dimensions,
      Statistic: c.statistic,
      Unit: c.unit,
      Period: c.period,
    });
    return { kind: 'metrics', queries: metricQueries(c.metrics) };
  }
  if (c.metricName === undefined || c.namespace === undefined || c.statistic === undefined)
    throw invalid('CustomizedMetricSpecification needs MetricName, Namespace and Statistic, or Metrics.');
  return {
    kind: 'customized',
    namespace: c.namespace,
    metricName: c.metricName,
    dimensions: c.dimensions ?? [],
    statistic: oneOf('Statistic', c.statistic, STATISTICS),
    ...(c.unit === undefined ? {} : { unit: c.unit }),
    period: periodOf('CustomizedMetricSpecification.Period', c.period) ?? 60,
  };
}

function metricQueries(queries: readonly MetricQueryInput[]): TargetTrackingMetricStatQuery[] {
  if (queries.length === 0) throw invalid('CustomizedMetricSpecification.Metrics must hold at least one query.');
  const ids = new Set<string>();
  const out = queries.map((q) => {
    if (!QUERY_ID.test(q.id))
      throw invalid(
        `Metric query Id '${q.id.slice(0, 64)}' must start with a lowercase letter and hold only letters, digits and _ (at most 64).`,
      );
    if (ids.has(q.id)) throw invalid(`Metric query Id '${q.id}' is used more than once.`);
    ids.add(q.id);
    return metricQuery(q);
  });
  const returned = out.filter((q) => q.returnData !== false).length;
  if (returned !== 1)
    throw invalid(`Exactly one metric query must have ReturnData true (absent counts as true); ${returned} do.`);
  return out;
}

function metricQuery(q: MetricQueryInput): TargetTrackingMetricStatQuery {
  if (q.expression !== undefined)
    throw invalid(`Metric query ${q.id}: Expression (metric math) is not supported; use MetricStat.`);
  const stat = q.metricStat;
  if (!stat || stat.namespace === undefined || stat.metricName === undefined || stat.stat === undefined)
    throw invalid(`Metric query ${q.id} needs MetricStat with Metric.Namespace, Metric.MetricName and Stat.`);
  const period = periodOf(`Metric query ${q.id} Period`, stat.period ?? q.period);
  return {
    id: q.id,
    namespace: stat.namespace,
    metricName: stat.metricName,
    dimensions: stat.dimensions ?? [],
    stat: stat.stat,
    ...(stat.unit === undefined ? {} : { unit: stat.unit }),
    ...(period === undefined ? {} : { period }),
    ...(q.label === undefined ? {} : { label: q.label }),
    ...(q.returnData === undefined ? {} : { returnData: q.returnData }),
  };
}

/**
 * The typed policy PutScalingPolicy's input describes, after AWS's conditional rules: which
 * fields each PolicyType requires and refuses, enum values, step adjustments, ExactCapacity
 * non-negative, MinAdjustmentMagnitude only with PercentChangeInCapacity, target tracking with
 * exactly one metric kind (MetricStat queries only). PredictiveScaling is refused. Pure.
 * @throws PhantomError Validation, with a text naming the field and the rule.
 */
export function policyFromInput(input: PolicyInput): ScalingPolicy {
  const policyType = input.policyType ?? 'SimpleScaling';
  if (policyType === 'PredictiveScaling' || input.predictiveScalingConfiguration)
    throw invalid('PredictiveScaling policies are not supported by Phantom (it has no forecasting model).');
  const enabled = input.enabled ?? true;
  if (policyType === 'SimpleScaling') return simplePolicy(input, enabled);
  if (policyType === 'StepScaling') return stepPolicy(input, enabled);
  if (policyType === 'TargetTrackingScaling') return trackingPolicy(input, enabled);
  throw invalid(
    `Invalid PolicyType '${policyType.slice(0, 64)}'; valid values are: SimpleScaling, StepScaling, TargetTrackingScaling.`,
  );
}
