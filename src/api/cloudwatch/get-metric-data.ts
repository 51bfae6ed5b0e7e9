import { createHash } from 'node:crypto';
import type { MetricIdentity } from '../../metrics/store/types.ts';
import type { XmlValue } from '../query/xml.ts';
import {
  readMetric,
  readPeriod,
  readRange,
  STANDARD_UNITS,
  type CloudWatchAction,
  type CloudWatchContext,
} from './action.ts';
import { CwError, invalidValue, missing } from './errors.ts';
import { statisticOf, STATISTICS, type Statistic } from './get-metric-statistics.ts';
import type { InputReader } from './input.ts';

export const MAX_QUERIES = 500;
export const DEFAULT_MAX_DATAPOINTS = 100_800;
/**
 * Bound on the windows one request may span, summed over its returned queries (range / period
 * each): every page is computed from all of them, so this bounds a request's work and memory.
 */
export const MAX_REQUEST_WINDOWS = 500_000;
const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

interface MetricQuery {
  id: string;
  label: string;
  metric: MetricIdentity;
  periodSeconds: number;
  stat: Statistic;
  unit?: string;
  returnData: boolean;
}

/** One query's datapoints in the requested order. */
interface Series {
  query: MetricQuery;
  timestamps: number[];
  values: number[];
}

/**
 * GetMetricData with MetricStat queries (Expression, i.e. metric math, is refused). Datapoints
 * of all returned queries are paged together: a page holds at most MaxDatapoints of them, in
 * query order; NextToken is the offset, bound to the caller and the request.
 */
export const getMetricDataAction: CloudWatchAction = {
  name: 'GetMetricData',
  handle(ctx, input, r) {
    const items = r.structs(input, 'MetricDataQueries', 'MetricDataQueries', MAX_QUERIES);
    if (!items || items.length === 0) throw missing('MetricDataQueries');
    const queries = readQueries(r, items);
    const range = readRange(r, input);
    const scanBy = r.string(input, 'ScanBy', 'ScanBy', { enum: ['TimestampDescending', 'TimestampAscending'] });
    const maxDatapoints = r.integer(input, 'MaxDatapoints', 'MaxDatapoints') ?? DEFAULT_MAX_DATAPOINTS;
    if (maxDatapoints < 1) throw invalidValue('The parameter MaxDatapoints must be at least 1.');
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([queries, range, scanBy ?? '']))
      .digest('base64url');
    const scope = `${ctx.user.id}\u0000GetMetricData\u0000${fingerprint}`;
    const token = r.string(input, 'NextToken', 'NextToken');
    const offset = token === undefined ? 0 : Number(ctx.pageTokens.decode(scope, token));
    const returned = queries.filter((q) => q.returnData);
    const windows = returned.reduce(
      (n, q) => n + Math.ceil((range.endMs - range.startMs) / (q.periodSeconds * 1000)),
      0,
    );
    if (windows > MAX_REQUEST_WINDOWS) {
      throw new CwError(
        'InvalidParameterCombination',
        `The queries span ${windows} periods in all, more than the ${MAX_REQUEST_WINDOWS} Phantom answers in one request: narrow the time range, raise the periods or split the queries.`,
      );
    }
    const series = returned.map((q) => seriesOf(ctx, q, range, scanBy !== 'TimestampAscending'));
    return page(ctx, series, offset, maxDatapoints, scope);
  },
};

function readQueries(r: InputReader, items: Record<string, unknown>[]): MetricQuery[] {
  const ids = new Set<string>();
  return items.map((item, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    const id = r.requiredString(item, 'Id', `${at}.Id`, { min: 1, max: 255, pattern: ID_PATTERN });
    if (ids.has(id)) throw invalidValue(`The Id ${id} is used by more than one query of MetricDataQueries.`);
    ids.add(id);
    if (r.string(item, 'Expression', `${at}.Expression`) !== undefined)
      throw invalidValue(`Phantom does not support metric math: ${at}.Expression is refused; use MetricStat.`);
    if (r.string(item, 'AccountId', `${at}.AccountId`) !== undefined)
      throw invalidValue(`Phantom has no cross-account metrics: ${at}.AccountId is refused.`);
    const stat = r.struct(item, 'MetricStat', `${at}.MetricStat`);
    if (!stat) throw missing(`${at}.MetricStat`);
    const metricIn = r.struct(stat, 'Metric', `${at}.MetricStat.Metric`);
    if (!metricIn) throw missing(`${at}.MetricStat.Metric`);
    const metric = readMetric(r, metricIn, `${at}.MetricStat.Metric.`);
    const statName = r.requiredString(stat, 'Stat', `${at}.MetricStat.Stat`);
    if (!(STATISTICS as readonly string[]).includes(statName))
      throw invalidValue(
        `The value ${statName.slice(0, 40)} for ${at}.MetricStat.Stat is not supported: Phantom answers ${STATISTICS.join(', ')}.`,
      );
    const unit = r.string(stat, 'Unit', `${at}.MetricStat.Unit`, { enum: STANDARD_UNITS });
    return {
      id,
      label: r.string(item, 'Label', `${at}.Label`, { max: 1024 }) ?? metric.metricName,
      metric,
      periodSeconds: readPeriod(r, stat, `${at}.MetricStat.Period`),
      stat: statName as Statistic,
      ...(unit !== undefined ? { unit } : {}),
      returnData: r.boolean(item, 'ReturnData', `${at}.ReturnData`) ?? true,
    };
  });
}

function seriesOf(
  ctx: CloudWatchContext,
  query: MetricQuery,
  range: { startMs: number; endMs: number },
  descending: boolean,
): Series {
  const windows = ctx.store.statistics(ctx.user.id, {
    metric: query.metric,
    ...range,
    periodSeconds: query.periodSeconds,
    ...(query.unit !== undefined ? { unit: query.unit } : {}),
  });
  // Several units in one window (no Unit asked): merge them, as one statistic.
  const merged = new Map<number, (typeof windows)[number]>();
  for (const w of windows) {
    const m = merged.get(w.timestampMs);
    if (!m) merged.set(w.timestampMs, { ...w });
    else {
      m.sampleCount += w.sampleCount;
      m.sum += w.sum;
      m.minimum = Math.min(m.minimum, w.minimum);
      m.maximum = Math.max(m.maximum, w.maximum);
    }
  }
  const ordered = [...merged.values()].sort((a, b) =>
    descending ? b.timestampMs - a.timestampMs : a.timestampMs - b.timestampMs,
  );
  return {
    query,
    timestamps: ordered.map((w) => w.timestampMs),
    values: ordered.map((w) => statisticOf(w, query.stat)),
  };
}

function page(ctx: CloudWatchContext, series: Series[], offset: number, max: number, scope: string): XmlValue {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new CwError('InvalidNextToken', 'The NextToken is invalid.');
  let skip = offset;
  let budget = max;
  const results = series.map((s) => {
    const from = Math.min(skip, s.timestamps.length);
    skip -= from;
    const take = Math.min(budget, s.timestamps.length - from);
    budget -= take;
    return {
      Id: s.query.id,
      Label: s.query.label,
      Timestamps: s.timestamps.slice(from, from + take).map((t) => new Date(t)),
      Values: s.values.slice(from, from + take),
      StatusCode: from + take < s.timestamps.length ? 'PartialData' : 'Complete',
      Messages: [],
    };
  });
  const total = series.reduce((n, s) => n + s.timestamps.length, 0);
  const next = offset + max;
  return {
    MetricDataResults: results,
    NextToken: next < total ? ctx.pageTokens.encode(scope, String(next)) : undefined,
    Messages: [],
  };
}
