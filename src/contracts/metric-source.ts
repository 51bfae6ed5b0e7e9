/**
 * The contract between the metric evaluators (target tracking, alarms, sensor domains) and the
 * places a metric's value comes from (a Prometheus server, Phantom's own metric store). A policy
 * names its metric the AWS way — namespace, metric name, dimensions — and the evaluator asks the
 * source that serves that namespace for one number per group per evaluation.
 */

/** One CloudWatch-style dimension of a metric reference. */
export interface MetricRefDimension {
  readonly name: string;
  readonly value: string;
}

/**
 * A metric as an unmodified AWS client names it: a target tracking policy's
 * CustomizedMetricSpecification (or its single MetricStat), an alarm's metric, or a sensor
 * domain's `metric` tag (namespace and dimensions implied).
 */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly MetricRefDimension[];
}

/** Who asks, for which group: what a source may substitute into its query. */
export interface MetricSubject {
  /** The owning user's name, as the store knows it (never chosen by the request). */
  readonly owner: string;
  /** The group (domain) name. */
  readonly group: string;
  readonly metric: MetricRef;
}

/** One evaluation's request for a metric value. */
export interface MetricQuery extends MetricSubject {
  /** The evaluation instant (from the evaluator's Clock); the value is read as of this time. */
  readonly now: Date;
  /** Aborts the query; the promise then rejects with `signal.reason` (not a MetricSourceError). */
  readonly signal: AbortSignal;
}

/**
 * Why a metric has no value, in words fit to show a user in a scaling activity (never a secret):
 * - `NotConfigured`: no source serves the reference's namespace on this installation;
 * - `InvalidMetric`: the reference names nothing usable (unknown query, missing or unexpected
 *   dimension, a value that cannot be put in a query) — permanent until the policy changes;
 * - `Unavailable`: the source could not be reached or timed out;
 * - `QueryFailed`: the source refused or failed to run the query;
 * - `BadResult`: the answer is not exactly one finite number (no series, several, NaN, ±Inf, wrong type);
 * - `BackingOff`: the query failed repeatedly and is not retried before a time (the message says why).
 */
export type MetricSourceErrorCode =
  'NotConfigured' | 'InvalidMetric' | 'Unavailable' | 'QueryFailed' | 'BadResult' | 'BackingOff';

/** A metric value that could not be read; `message` is fit for a scaling activity's StatusMessage. */
export class MetricSourceError extends Error {
  constructor(
    readonly code: MetricSourceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MetricSourceError';
  }
}

export const isMetricSourceError = (e: unknown): e is MetricSourceError => e instanceof MetricSourceError;

/** A place metric values come from. */
export interface MetricSource {
  /** Required. Whether this source serves metrics of `namespace` (exact, case-sensitive match). Pure. */
  handles(namespace: string): boolean;
  /**
   * Required. Checks that `subject` names a metric this source can query, without querying —
   * for the API to refuse a policy at PutScalingPolicy / PutMetricAlarm time. Pure, idempotent.
   * @throws MetricSourceError `InvalidMetric` saying what is wrong.
   */
  validate(subject: MetricSubject): void;
  /**
   * Required. The metric's current value for the group, one query per call. Read-only and
   * idempotent; safe to call concurrently (the source bounds its own concurrency).
   * @throws MetricSourceError with the codes above; rejects with `signal.reason` when aborted.
   */
  query(request: MetricQuery): Promise<number>;
}
