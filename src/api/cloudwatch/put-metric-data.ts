import type { MetricDatum, StatisticSet } from '../../metrics/store/types.ts';
import { readDimensions, STANDARD_UNITS, NAMESPACE_RULE, type CloudWatchAction } from './action.ts';
import { CwError, invalidValue, missing } from './errors.ts';
import type { InputReader } from './input.ts';

/** PutMetricData limits (AWS's). */
export const PUT_LIMITS = {
  metricData: 1000,
  values: 150,
  /** |value| ≤ 2^360. */
  maxMagnitude: 2 ** 360,
  maxAgeMs: 14 * 86_400_000,
  maxAheadMs: 2 * 3600_000,
};

/**
 * PutMetricData: validates every datum first, then stores them all (or none). Values, statistic
 * sets and Values/Counts arrays become statistic sets; nothing per datapoint is kept.
 */
export const putMetricDataAction: CloudWatchAction = {
  name: 'PutMetricData',
  handle(ctx, input, r) {
    const namespace = r.requiredString(input, 'Namespace', 'Namespace', NAMESPACE_RULE);
    if (namespace.startsWith('AWS/'))
      throw invalidValue(
        `The value ${namespace} for parameter Namespace is invalid: namespaces starting with AWS/ are reserved.`,
      );
    const items = r.structs(input, 'MetricData', 'MetricData', PUT_LIMITS.metricData);
    if (!items || items.length === 0) throw missing('MetricData');
    const nowMs = ctx.clock.now().getTime();
    const data = items.map((item, i) => readDatum(r, item, `MetricData.member.${i + 1}.`, nowMs));
    ctx.store.put(ctx.user.id, namespace, data);
    return undefined;
  },
};

function readDatum(r: InputReader, item: Record<string, unknown>, path: string, nowMs: number): MetricDatum {
  const metricName = r.requiredString(item, 'MetricName', `${path}MetricName`, { min: 1, max: 255 });
  const dimensions = readDimensions(r, item, path);
  const timestampMs = r.timestamp(item, 'Timestamp', `${path}Timestamp`) ?? nowMs;
  if (timestampMs < nowMs - PUT_LIMITS.maxAgeMs || timestampMs > nowMs + PUT_LIMITS.maxAheadMs) {
    throw invalidValue(
      `The parameter ${path}Timestamp must be no more than two weeks in the past and no more than two hours in the future.`,
    );
  }
  const unit = r.string(item, 'Unit', `${path}Unit`, { enum: STANDARD_UNITS }) ?? 'None';
  const resolution = r.integer(item, 'StorageResolution', `${path}StorageResolution`) ?? 60;
  if (resolution !== 1 && resolution !== 60)
    throw invalidValue(`The parameter ${path}StorageResolution must be 1 or 60; it is ${resolution}.`);
  return {
    metricName,
    dimensions,
    timestampMs,
    unit,
    highResolution: resolution === 1,
    stats: readStats(r, item, path),
  };
}

/** The datum's value in one of its three forms, as a statistic set. */
function readStats(r: InputReader, item: Record<string, unknown>, path: string): StatisticSet {
  const value = bounded(r.number(item, 'Value', `${path}Value`), `${path}Value`);
  const set = r.struct(item, 'StatisticValues', `${path}StatisticValues`);
  const values = r.list(item, 'Values', `${path}Values`, PUT_LIMITS.values);
  const given = [value !== undefined, set !== undefined, values !== undefined].filter(Boolean).length;
  if (given > 1) {
    throw new CwError(
      'InvalidParameterCombination',
      `The parameters ${path}Value, ${path}StatisticValues and ${path}Values are mutually exclusive.`,
    );
  }
  if (value !== undefined) return { sampleCount: 1, sum: value, minimum: value, maximum: value };
  if (set) return readStatisticSet(r, set, `${path}StatisticValues.`);
  if (values) return readValues(r, item, values, path);
  throw missing(`${path}Value, ${path}StatisticValues or ${path}Values (one of them)`);
}

function readStatisticSet(r: InputReader, set: Record<string, unknown>, path: string): StatisticSet {
  const field = (name: string) => {
    const v = bounded(r.number(set, name, `${path}${name}`), `${path}${name}`);
    if (v === undefined) throw missing(`${path}${name}`);
    return v;
  };
  const stats = {
    sampleCount: field('SampleCount'),
    sum: field('Sum'),
    minimum: field('Minimum'),
    maximum: field('Maximum'),
  };
  if (stats.sampleCount <= 0) throw invalidValue(`The parameter ${path}SampleCount must be greater than 0.`);
  if (stats.minimum > stats.maximum)
    throw invalidValue(`The parameter ${path}Minimum must not be greater than ${path}Maximum.`);
  return stats;
}

function readValues(r: InputReader, item: Record<string, unknown>, values: unknown[], path: string): StatisticSet {
  const counts = r.list(item, 'Counts', `${path}Counts`, PUT_LIMITS.values);
  if (counts && counts.length !== values.length)
    throw invalidValue(`The parameters ${path}Values and ${path}Counts must have the same number of members.`);
  const stats = { sampleCount: 0, sum: 0, minimum: Infinity, maximum: -Infinity };
  values.forEach((_, i) => {
    const v = bounded(
      r.number({ v: values[i] }, 'v', `${path}Values.member.${i + 1}`),
      `${path}Values.member.${i + 1}`,
    );
    const c = counts ? r.number({ c: counts[i] }, 'c', `${path}Counts.member.${i + 1}`) : 1;
    if (v === undefined || c === undefined) throw missing(`${path}Values.member.${i + 1}`);
    if (c < 0) throw invalidValue(`The parameter ${path}Counts.member.${i + 1} must not be negative.`);
    if (c === 0) return;
    stats.sampleCount += c;
    stats.sum += v * c;
    stats.minimum = Math.min(stats.minimum, v);
    stats.maximum = Math.max(stats.maximum, v);
  });
  if (stats.sampleCount === 0 || !Number.isFinite(stats.sum))
    throw invalidValue(
      `The parameter ${path}Values must hold at least one value with a count above 0, and a finite total.`,
    );
  return stats;
}

/** Refuses a value outside ±2^360. */
function bounded(v: number | undefined, path: string): number | undefined {
  if (v !== undefined && Math.abs(v) > PUT_LIMITS.maxMagnitude)
    throw invalidValue(`The value for parameter ${path} is outside the range -2^360 to 2^360.`);
  return v;
}
