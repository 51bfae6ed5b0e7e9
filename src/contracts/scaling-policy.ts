/**
 * The typed model of an Auto Scaling scaling policy, shared by the policy API (validation,
 * storage, Describe) and the pure policy engines (step selection, rounding, target tracking).
 * Field names follow AWS's wire names in camelCase. Plain data, no I/O.
 */

/** How a simple or step policy's adjustment is read. */
export type AdjustmentType = 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';

/** How a step policy aggregates the most recent datapoints of its alarm's statistic (default Average). */
export type MetricAggregationType = 'Minimum' | 'Maximum' | 'Average';

/**
 * One step of a step policy. Bounds are relative to the alarm threshold (metric − threshold);
 * an absent lower bound is −∞, an absent upper bound +∞. At or above the threshold the lower
 * bound is inclusive and the upper exclusive; below it, the lower is exclusive and the upper inclusive.
 */
export interface StepAdjustment {
  readonly metricIntervalLowerBound?: number;
  readonly metricIntervalUpperBound?: number;
  readonly scalingAdjustment: number;
}

/** A CloudWatch metric dimension. */
export interface MetricDimension {
  readonly name: string;
  readonly value: string;
}

/** The statistic a customized metric is read with. */
export type MetricStatistic = 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'Sum';

/** The predefined metrics target tracking supports here (ALBRequestCountPerTarget is refused: no load balancers). */
export type PredefinedMetricType = 'ASGAverageCPUUtilization' | 'ASGAverageNetworkIn' | 'ASGAverageNetworkOut';

/** One query of a customized metric given as `Metrics` (only MetricStat queries; Expression is refused). */
export interface TargetTrackingMetricStatQuery {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly MetricDimension[];
  readonly stat: string;
  readonly unit?: string;
  /** Seconds: 10, 30 or 60. */
  readonly period?: number;
  readonly label?: string;
  readonly returnData?: boolean;
}

/** The metric a target tracking policy follows: exactly one kind. */
export type TrackedMetric =
  | { readonly kind: 'predefined'; readonly predefinedMetricType: PredefinedMetricType }
  | {
      readonly kind: 'customized';
      readonly namespace: string;
      readonly metricName: string;
      readonly dimensions: readonly MetricDimension[];
      readonly statistic: MetricStatistic;
      readonly unit?: string;
      /** Seconds: 10, 30 or 60 (default 60). */
      readonly period: number;
    }
  | { readonly kind: 'metrics'; readonly queries: readonly TargetTrackingMetricStatQuery[] };

/** A target tracking policy's configuration. */
export interface TargetTrackingConfiguration {
  readonly targetValue: number;
  readonly disableScaleIn: boolean;
  readonly metric: TrackedMetric;
}

/** Fields every policy has. */
interface PolicyBase {
  readonly policyName: string;
  readonly enabled: boolean;
}

/** SimpleScaling: one adjustment, then wait for the cooldown. */
export interface SimpleScalingPolicy extends PolicyBase {
  readonly policyType: 'SimpleScaling';
  readonly adjustmentType: AdjustmentType;
  readonly scalingAdjustment: number;
  /** Seconds; absent ⇒ the group's DefaultCooldown. */
  readonly cooldown?: number;
  readonly minAdjustmentMagnitude?: number;
}

/** StepScaling: the step is chosen by how far the metric is from the alarm's threshold. */
export interface StepScalingPolicy extends PolicyBase {
  readonly policyType: 'StepScaling';
  readonly adjustmentType: AdjustmentType;
  readonly stepAdjustments: readonly StepAdjustment[];
  readonly metricAggregationType: MetricAggregationType;
  readonly minAdjustmentMagnitude?: number;
  /** Seconds; absent ⇒ the group's DefaultInstanceWarmup, then its DefaultCooldown. */
  readonly estimatedInstanceWarmup?: number;
}

/** TargetTrackingScaling: keep a metric near a target; owns two alarms. */
export interface TargetTrackingPolicy extends PolicyBase {
  readonly policyType: 'TargetTrackingScaling';
  readonly targetTracking: TargetTrackingConfiguration;
  /** Seconds; absent ⇒ the group's DefaultInstanceWarmup, then its DefaultCooldown. */
  readonly estimatedInstanceWarmup?: number;
}

/** A validated scaling policy (PredictiveScaling is refused at the API). */
export type ScalingPolicy = SimpleScalingPolicy | StepScalingPolicy | TargetTrackingPolicy;

/** AWS's quotas for policies. */
export const POLICY_LIMITS = { policiesPerGroup: 50, stepAdjustmentsPerPolicy: 20 } as const;

/**
 * A stored scaling policy: keyed by (owner, groupName, policy name); `policyId` (a uuid) is its
 * ARN's id and changes only when the policy is deleted and made again. Deleted with its group.
 */
export interface ScalingPolicyRecord {
  readonly owner: string;
  readonly groupName: string;
  /** A uuid; the ARN is derived from it, the owner, the group and the name. */
  readonly policyId: string;
  readonly policy: ScalingPolicy;
  readonly createdTime: Date;
  readonly updatedTime: Date;
}
