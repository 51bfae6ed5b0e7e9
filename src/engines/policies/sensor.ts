import { PhantomError } from '../../contracts/errors.ts';
import type { Tag } from '../../contracts/records.ts';

/**
 * The original Phantom's sensor rule (epu `SensorEngine` / `PhantomMultiSiteOverflowEngine`,
 * phantom-original §2.3): every decide step averages the metric over the healthy instances —
 * an instance without data counts as 0 — adds `scale_up_n_vms` when the average is above
 * `scale_up_threshold`, removes `scale_down_n_vms` when below `scale_down_threshold` (both strict),
 * clamps to [MinSize, MaxSize], and does nothing at all during `cooldown_period` after the last
 * scaling action. Configured by group tags; pure.
 */

/** A sensor policy parsed from tags. */
export interface SensorConfig {
  /** The metric name (e.g. `proc.loadavg.1min`). */
  readonly metric: string;
  /** The sample function; the original supported only Average. */
  readonly sampleFunction: 'Average';
  readonly scaleUpThreshold: number;
  readonly scaleUpNVms: number;
  readonly scaleDownThreshold: number;
  readonly scaleDownNVms: number;
  /** Seconds after a scaling action during which nothing happens. */
  readonly cooldownPeriod: number;
  readonly minSize: number;
  readonly maxSize: number;
}

/** The tag keys the sensor rule reads. */
export const SENSOR_TAGS = [
  'metric',
  'sample_function',
  'scale_up_threshold',
  'scale_up_n_vms',
  'scale_down_threshold',
  'scale_down_n_vms',
  'cooldown_period',
] as const;

const invalid = (message: string): PhantomError => new PhantomError('Validation', message);
const shown = (value: string): string => JSON.stringify(value.slice(0, 64));

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function decimal(key: string, value: string | undefined): number {
  if (value === undefined) throw invalid(`Sensor scaling needs the tag ${key} (a number).`);
  const n = Number(value.trim());
  if (!DECIMAL.test(value.trim()) || !Number.isFinite(n))
    throw invalid(`The tag ${key} has a value ${shown(value)} that could not be understood: give a finite number.`);
  return n;
}

function count(key: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value.trim()))
    throw invalid(`The tag ${key} has a value ${shown(value)} that could not be understood: give a whole number ≥ 0.`);
  return Number(value.trim());
}

function metricName(value: string | undefined): string {
  if (value === undefined) throw invalid('Sensor scaling needs the tag metric (the metric name).');
  const name = value.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 255 || /[\u0000-\u001f\u007f]/.test(value))
    throw invalid(
      `The tag metric has a value ${shown(value)} that could not be understood: give 1 to 255 printable characters.`,
    );
  return name;
}

function bounds(minSize: number, maxSize: number): void {
  for (const [name, v] of [
    ['MinSize', minSize],
    ['MaxSize', maxSize],
  ] as const)
    if (!Number.isInteger(v) || v < 0) throw invalid(`${name} must be a whole number ≥ 0, got ${v}.`);
  if (minSize > maxSize) throw invalid(`MinSize (${minSize}) exceeds MaxSize (${maxSize}).`);
}

/**
 * Reads a sensor policy from a group's tags and its MinSize/MaxSize. `metric` and both thresholds
 * are required; `sample_function` defaults to Average (the only one), the step sizes to 1 and
 * `cooldown_period` to 0 seconds. Keys other than {@link SENSOR_TAGS} are ignored.
 * @throws PhantomError Validation naming the tag whose value is missing or not understood, when
 * `scale_down_threshold` exceeds `scale_up_threshold`, or for bad bounds.
 */
export function parseSensorConfig(
  tags: readonly Pick<Tag, 'key' | 'value'>[],
  sizes: { readonly minSize: number; readonly maxSize: number },
): SensorConfig {
  const byKey = new Map(tags.map((t) => [t.key, t.value]));
  const sample = (byKey.get('sample_function') ?? 'Average').trim();
  if (sample !== 'Average')
    throw invalid(`The tag sample_function has a value ${shown(sample)} that is not supported: only Average is.`);
  const scaleUpThreshold = decimal('scale_up_threshold', byKey.get('scale_up_threshold'));
  const scaleDownThreshold = decimal('scale_down_threshold', byKey.get('scale_down_threshold'));
  if (scaleDownThreshold > scaleUpThreshold)
    throw invalid(
      `The tag scale_down_threshold (${scaleDownThreshold}) exceeds scale_up_threshold (${scaleUpThreshold}).`,
    );
  bounds(sizes.minSize, sizes.maxSize);
  return {
    metric: metricName(byKey.get('metric')),
    sampleFunction: 'Average',
    scaleUpThreshold,
    scaleUpNVms: count('scale_up_n_vms', byKey.get('scale_up_n_vms'), 1),
    scaleDownThreshold,
    scaleDownNVms: count('scale_down_n_vms', byKey.get('scale_down_n_vms'), 1),
    cooldownPeriod: count('cooldown_period', byKey.get('cooldown_period'), 0),
    minSize: sizes.minSize,
    maxSize: sizes.maxSize,
  };
}

/** What the decide step sees. */
export interface SensorObservation {
  /** Required. Healthy instances (not Terminating, Terminated or failed). */
  readonly healthy: number;
  /** Required. The metric of each healthy instance that has data (at most `healthy` values). */
  readonly instanceValues: readonly number[];
  /** Optional. A domain-level value of the metric, counted as one more value. */
  readonly domainValue?: number;
  readonly now: number;
  /** Optional. When the last scaling action happened (epoch ms). */
  readonly lastScaleAt?: number;
}

/** The decide step's result: `delta` = `desired` − healthy. */
export interface SensorDecision {
  readonly desired: number;
  readonly delta: number;
  /** The average compared with the thresholds; undefined when there was nothing to average or in cooldown. */
  readonly average?: number;
  readonly reason: string;
}

/** sum(values) / max(#values, healthy): a healthy instance without data counts as 0. */
export function sensorAverage(healthy: number, values: readonly number[]): number | undefined {
  const denominator = Math.max(values.length, healthy);
  return denominator === 0 ? undefined : values.reduce((a, b) => a + b, 0) / denominator;
}

function checkObservation(o: SensorObservation): number[] {
  if (!Number.isInteger(o.healthy) || o.healthy < 0)
    throw invalid(`healthy must be a whole number ≥ 0, got ${o.healthy}.`);
  if (o.instanceValues.length > o.healthy)
    throw invalid(`${o.instanceValues.length} instance values for ${o.healthy} healthy instances.`);
  const values = o.domainValue === undefined ? [...o.instanceValues] : [o.domainValue, ...o.instanceValues];
  for (const v of values) if (!Number.isFinite(v)) throw invalid(`A sensor value is not a finite number: ${v}.`);
  for (const [name, t] of [
    ['now', o.now],
    ['lastScaleAt', o.lastScaleAt ?? 0],
  ] as const)
    if (!Number.isFinite(t)) throw invalid(`${name} must be a finite instant, got ${t}.`);
  return values;
}

/**
 * One decide step of the sensor rule. Deterministic.
 * @throws PhantomError Validation for non-finite values or instants, or more values than instances.
 */
export function decideSensor(config: SensorConfig, o: SensorObservation): SensorDecision {
  const values = checkObservation(o);
  const since = o.lastScaleAt === undefined ? Infinity : o.now - o.lastScaleAt;
  if (since < config.cooldownPeriod * 1000)
    return {
      desired: o.healthy,
      delta: 0,
      reason: `in cooldown (${config.cooldownPeriod} s) since the last scaling action`,
    };
  const average = sensorAverage(o.healthy, values);
  let step = 0;
  if (average !== undefined && average > config.scaleUpThreshold) step = config.scaleUpNVms;
  else if (average !== undefined && average < config.scaleDownThreshold) step = -config.scaleDownNVms;
  const desired = Math.min(Math.max(o.healthy + step, config.minSize), config.maxSize);
  const shownAverage = average === undefined ? 'no data' : `average ${config.metric} ${average}`;
  const reason = `${shownAverage}; thresholds ${config.scaleDownThreshold}/${config.scaleUpThreshold}: ${o.healthy} → ${desired}`;
  return { desired, delta: desired - o.healthy, ...(average !== undefined ? { average } : {}), reason };
}
