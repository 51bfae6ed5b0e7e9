import type {
  MetricDimension,
  ScalingPolicyRecord,
  StepAdjustment,
  TrackedMetric,
} from '../../contracts/scaling-policy.ts';
import type { PolicyAlarm } from '../../services/policy-alarms.ts';
import type { MetricQueryInput, PolicyInput, TargetTrackingInput } from '../../services/policy-input.ts';
import { policyArnOf } from '../../services/policies.ts';
import { ApiError } from '../query/errors.ts';
import { bool, int, list, opt, req, str, struct, xmlString, type InputOf } from '../query/shape.ts';
import type { XmlValue } from '../query/xml.ts';

/** A double as SDKs send it (`59`, `-0.5`, `1e3`); the shape keeps the text, {@link double} reads it. */
const doubleText = () => str({ min: 1, max: 64 });

/**
 * A double parameter as a finite number.
 * @throws ApiError ValidationError naming the parameter when the text is not a finite number.
 */
export function double(parameter: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n))
    throw new ApiError(
      'ValidationError',
      `Invalid value for ${parameter}: '${value.length > 64 ? `${value.slice(0, 64)}…` : value}' is not a finite number.`,
    );
  return n;
}

const dimensions = () => list(struct({ Name: req(xmlString(255)), Value: req(xmlString(1024)) }), 30);

const metricQuery = struct({
  Id: req(xmlString(64)),
  Expression: opt(xmlString(2047)),
  MetricStat: opt(
    struct({
      Metric: opt(
        struct({ Namespace: opt(xmlString(255)), MetricName: opt(xmlString(255)), Dimensions: opt(dimensions()) }),
      ),
      Stat: opt(xmlString(100)),
      Unit: opt(xmlString(64)),
      Period: opt(int()),
    }),
  ),
  Label: opt(xmlString(2047)),
  Period: opt(int()),
  ReturnData: opt(bool()),
});

const targetTracking = struct({
  PredefinedMetricSpecification: opt(
    struct({ PredefinedMetricType: opt(xmlString(128)), ResourceLabel: opt(xmlString(1023)) }),
  ),
  CustomizedMetricSpecification: opt(
    struct({
      MetricName: opt(xmlString(255)),
      Namespace: opt(xmlString(255)),
      Dimensions: opt(dimensions()),
      Statistic: opt(xmlString(32)),
      Unit: opt(xmlString(64)),
      Period: opt(int()),
      Metrics: opt(list(metricQuery, 10)),
    }),
  ),
  TargetValue: opt(doubleText()),
  DisableScaleIn: opt(bool()),
});

/** PutScalingPolicy's wire input (AWS names). Lists are decoded generously; the service states the real limits. */
export const putPolicyShape = struct({
  AutoScalingGroupName: req(xmlString(1600)),
  PolicyName: req(xmlString(255)),
  PolicyType: opt(xmlString(64)),
  AdjustmentType: opt(xmlString(255)),
  MinAdjustmentStep: opt(int()),
  MinAdjustmentMagnitude: opt(int()),
  ScalingAdjustment: opt(int()),
  Cooldown: opt(int({ min: 0 })),
  MetricAggregationType: opt(xmlString(32)),
  StepAdjustments: opt(
    list(
      struct({
        MetricIntervalLowerBound: opt(doubleText()),
        MetricIntervalUpperBound: opt(doubleText()),
        ScalingAdjustment: req(int()),
      }),
      100,
    ),
  ),
  EstimatedInstanceWarmup: opt(int({ min: 0 })),
  TargetTrackingConfiguration: opt(targetTracking),
  Enabled: opt(bool()),
  PredictiveScalingConfiguration: opt(struct({})),
});

type Wire = InputOf<typeof putPolicyShape>;
type WireDimension = { Name: string; Value: string };
type WireQuery = NonNullable<
  NonNullable<NonNullable<Wire['TargetTrackingConfiguration']>['CustomizedMetricSpecification']>['Metrics']
>[number];

const dims = (d: WireDimension[] | undefined): MetricDimension[] | undefined =>
  d?.map((x) => ({ name: x.Name, value: x.Value }));

function stepsOf(wire: Wire): StepAdjustment[] | undefined {
  return wire.StepAdjustments?.map((s, i) => {
    const lower = double(`StepAdjustments.member.${i + 1}.MetricIntervalLowerBound`, s.MetricIntervalLowerBound);
    const upper = double(`StepAdjustments.member.${i + 1}.MetricIntervalUpperBound`, s.MetricIntervalUpperBound);
    return {
      ...(lower === undefined ? {} : { metricIntervalLowerBound: lower }),
      ...(upper === undefined ? {} : { metricIntervalUpperBound: upper }),
      scalingAdjustment: s.ScalingAdjustment,
    };
  });
}

const queryOf = (q: WireQuery): MetricQueryInput => ({
  id: q.Id,
  expression: q.Expression,
  metricStat: q.MetricStat && {
    namespace: q.MetricStat.Metric?.Namespace,
    metricName: q.MetricStat.Metric?.MetricName,
    dimensions: dims(q.MetricStat.Metric?.Dimensions),
    stat: q.MetricStat.Stat,
    unit: q.MetricStat.Unit,
    period: q.MetricStat.Period,
  },
  period: q.Period,
  label: q.Label,
  returnData: q.ReturnData,
});

function trackingOf(t: Wire['TargetTrackingConfiguration']): TargetTrackingInput | undefined {
  if (!t) return undefined;
  const c = t.CustomizedMetricSpecification;
  const p = t.PredefinedMetricSpecification;
  return {
    targetValue: double('TargetTrackingConfiguration.TargetValue', t.TargetValue),
    disableScaleIn: t.DisableScaleIn,
    predefined: p && { predefinedMetricType: p.PredefinedMetricType, resourceLabel: p.ResourceLabel },
    customized: c && {
      metricName: c.MetricName,
      namespace: c.Namespace,
      dimensions: dims(c.Dimensions),
      statistic: c.Statistic,
      unit: c.Unit,
      period: c.Period,
      metrics: c.Metrics?.map(queryOf),
    },
  };
}

/**
 * The service's input from the wire's. `MinAdjustmentStep` is AWS's deprecated name of MinAdjustmentMagnitude.
 * @throws ApiError ValidationError for a double that is not a finite number, or both names of the magnitude differing.
 */
export function policyInputOf(wire: Wire): PolicyInput {
  const { MinAdjustmentStep: step, MinAdjustmentMagnitude: magnitude } = wire;
  if (step !== undefined && magnitude !== undefined && step !== magnitude)
    throw new ApiError(
      'ValidationError',
      'MinAdjustmentStep and MinAdjustmentMagnitude, when both given, must be equal.',
    );
  return {
    policyName: wire.PolicyName,
    policyType: wire.PolicyType,
    adjustmentType: wire.AdjustmentType,
    scalingAdjustment: wire.ScalingAdjustment,
    cooldown: wire.Cooldown,
    minAdjustmentMagnitude: magnitude ?? step,
    stepAdjustments: stepsOf(wire),
    metricAggregationType: wire.MetricAggregationType,
    estimatedInstanceWarmup: wire.EstimatedInstanceWarmup,
    enabled: wire.Enabled,
    targetTracking: trackingOf(wire.TargetTrackingConfiguration),
    predictiveScalingConfiguration: wire.PredictiveScalingConfiguration !== undefined,
  };
}

const dimensionsXml = (d: readonly MetricDimension[]): XmlValue => d.map((x) => ({ Name: x.name, Value: x.value }));

function metricXml(m: TrackedMetric): XmlValue {
  if (m.kind === 'predefined')
    return { PredefinedMetricSpecification: { PredefinedMetricType: m.predefinedMetricType } };
  if (m.kind === 'customized')
    return {
      CustomizedMetricSpecification: {
        MetricName: m.metricName,
        Namespace: m.namespace,
        Dimensions: dimensionsXml(m.dimensions),
        Statistic: m.statistic,
        Unit: m.unit,
        Period: m.period,
      },
    };
  const metrics = m.queries.map((q) => ({
    Id: q.id,
    MetricStat: {
      Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: dimensionsXml(q.dimensions) },
      Stat: q.stat,
      Unit: q.unit,
      Period: q.period,
    },
    Label: q.label,
    ReturnData: q.returnData,
  }));
  return { CustomizedMetricSpecification: { Metrics: metrics } };
}

export const alarmsXml = (alarms: readonly PolicyAlarm[]): XmlValue =>
  alarms.map((a) => ({ AlarmName: a.alarmName, AlarmARN: a.alarmArn }));

/** AWS's `ScalingPolicy` member of DescribePolicies, in the model's element order. */
export function scalingPolicyXml(r: ScalingPolicyRecord, alarms: readonly PolicyAlarm[]): XmlValue {
  const p = r.policy;
  const adjusting = p.policyType === 'TargetTrackingScaling' ? undefined : p;
  return {
    AutoScalingGroupName: r.groupName,
    PolicyName: p.policyName,
    PolicyARN: policyArnOf(r),
    PolicyType: p.policyType,
    AdjustmentType: adjusting?.adjustmentType,
    MinAdjustmentStep: adjusting?.minAdjustmentMagnitude,
    MinAdjustmentMagnitude: adjusting?.minAdjustmentMagnitude,
    ScalingAdjustment: p.policyType === 'SimpleScaling' ? p.scalingAdjustment : undefined,
    Cooldown: p.policyType === 'SimpleScaling' ? p.cooldown : undefined,
    StepAdjustments:
      p.policyType === 'StepScaling'
        ? p.stepAdjustments.map((s) => ({
            MetricIntervalLowerBound: s.metricIntervalLowerBound,
            MetricIntervalUpperBound: s.metricIntervalUpperBound,
            ScalingAdjustment: s.scalingAdjustment,
          }))
        : [],
    MetricAggregationType: p.policyType === 'StepScaling' ? p.metricAggregationType : undefined,
    EstimatedInstanceWarmup: p.policyType === 'SimpleScaling' ? undefined : p.estimatedInstanceWarmup,
    Alarms: alarmsXml(alarms),
    TargetTrackingConfiguration:
      p.policyType === 'TargetTrackingScaling'
        ? {
            ...(metricXml(p.targetTracking.metric) as Record<string, XmlValue>),
            TargetValue: p.targetTracking.targetValue,
            DisableScaleIn: p.targetTracking.disableScaleIn,
          }
        : undefined,
    Enabled: p.enabled,
  };
}
