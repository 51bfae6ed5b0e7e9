import type { Clock } from '../../contracts/clock.ts';
import type { User } from '../../contracts/records.ts';
import type { MetricStore } from '../../metrics/store/metric-store.ts';
import type { Dimension, MetricIdentity } from '../../metrics/store/types.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import type { PageTokens } from '../../services/page-tokens.ts';
import type { XmlValue } from '../query/xml.ts';
import { invalidValue, missing } from './errors.ts';
import type { InputReader } from './input.ts';

/** What every CloudWatch action receives: the verified caller and the metric store. */
export interface CloudWatchContext {
  /** The authenticated caller; every metric an action touches belongs to this user. */
  user: User;
  requestId: string;
  store: MetricStore;
  clock: Clock;
  pageTokens: PageTokens;
  /** Optional. The services (alarms live in the store); absent where only metrics are served. */
  services?: ServiceDeps;
}

/**
 * One CloudWatch action. `handle` reads its input through the reader (either protocol) and
 * returns its result in protocol-neutral form (Dates, numbers, arrays, objects; undefined
 * members omitted), or undefined when the output has no result element.
 */
export interface CloudWatchAction {
  name: string;
  handle(ctx: CloudWatchContext, input: Record<string, unknown>, r: InputReader): XmlValue | Promise<XmlValue>;
}

/** CloudWatch's StandardUnit values. */
export const STANDARD_UNITS: readonly string[] = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
];

/** At most this many dimensions per metric. */
export const MAX_DIMENSIONS = 30;

/** Namespace: 1–255 characters, not starting with ':'. */
export const NAMESPACE_RULE = { min: 1, max: 255, pattern: /^[^:]/ };

/**
 * The Dimensions member (`{Name, Value}` list, ≤30, names unique).
 * @throws CwError MissingParameter / InvalidParameterValue.
 */
export function readDimensions(r: InputReader, obj: Record<string, unknown>, path: string): Dimension[] {
  const items = r.structs(obj, 'Dimensions', `${path}Dimensions`, MAX_DIMENSIONS) ?? [];
  const names = new Set<string>();
  return items.map((item, i) => {
    const at = `${path}Dimensions.member.${i + 1}`;
    const name = r.requiredString(item, 'Name', `${at}.Name`, { min: 1, max: 255 });
    const value = r.requiredString(item, 'Value', `${at}.Value`, { min: 1, max: 1024 });
    if (names.has(name)) throw invalidValue(`The dimension name ${name} appears more than once in ${path}Dimensions.`);
    names.add(name);
    return { name, value };
  });
}

/** Namespace, MetricName and Dimensions of `obj` (both names required). */
export function readMetric(r: InputReader, obj: Record<string, unknown>, path = ''): MetricIdentity {
  return {
    namespace: r.requiredString(obj, 'Namespace', `${path}Namespace`, NAMESPACE_RULE),
    metricName: r.requiredString(obj, 'MetricName', `${path}MetricName`, { min: 1, max: 255 }),
    dimensions: readDimensions(r, obj, path),
  };
}

/** The wire form of a metric (ListMetrics, GetMetricData labels). */
export const metricOut = (m: MetricIdentity): XmlValue => ({
  Namespace: m.namespace,
  MetricName: m.metricName,
  Dimensions: m.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
});

/** StartTime/EndTime, required, start before end. @throws CwError. */
export function readRange(r: InputReader, input: Record<string, unknown>): { startMs: number; endMs: number } {
  const startMs = r.requiredTimestamp(input, 'StartTime', 'StartTime');
  const endMs = r.requiredTimestamp(input, 'EndTime', 'EndTime');
  if (startMs >= endMs) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { startMs, endMs };
}

/** A required positive integer Period. */
export function readPeriod(r: InputReader, obj: Record<string, unknown>, path: string): number {
  const period = r.integer(obj, 'Period', path);
  if (period === undefined) throw missing(path);
  if (period < 1) throw invalidValue(`The parameter ${path} must be at least 1.`);
  return period;
}
