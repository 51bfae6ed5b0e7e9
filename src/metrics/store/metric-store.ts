import type { Clock } from '../../contracts/clock.ts';
import { PhantomError } from '../../contracts/errors.ts';
import { BucketSeries, CHUNK_LENGTH } from './buckets.ts';
import { ChunkPool } from './chunk-pool.ts';
import { identityKey, metricKey, sortDimensions } from './metric-key.ts';
import type { MetricDatum, MetricFilter, MetricIdentity, StatisticSet, StatisticsQuery, WindowStats } from './types.ts';
import { byCodeUnit, firstAfter, matches } from './listing.ts';
import { aggregateWindows, toStatisticSet, type Accumulator } from './windows.ts';

/** 10-second buckets (StorageResolution 1 data) are kept this long. */
export const HIGH_RES_RETENTION_MS = 3 * 3600_000;
/** 1-minute buckets are kept this long (15 days); a series with nothing newer is forgotten. */
export const MINUTE_RETENTION_MS = 15 * 86_400_000;
/** Default cap on the series one owner may have (LimitExceeded beyond it). */
export const DEFAULT_MAX_SERIES_PER_OWNER = 50_000;
/** Periods (seconds) answered from the 10-second buckets; every other period must be a multiple of 60. */
export const HIGH_RES_PERIODS: readonly number[] = [1, 5, 10, 30];

const FINE_MS = 10_000;
const MINUTE_MS = 60_000;

/** The buckets of one series for one unit. */
interface UnitSeries {
  unit: string;
  minute: BucketSeries;
  /** 10-second buckets, created by the first StorageResolution 1 datum. */
  fine?: BucketSeries;
}

interface Series {
  identity: MetricIdentity;
  units: UnitSeries[];
  /** When (by the store's clock) the series last received a datapoint. */
  lastReceivedMs: number;
}

/** One owner's series, and their keys in order once a listing asked (dropped when a series comes or goes). */
interface OwnerMetrics {
  series: Map<string, Series>;
  sortedKeys?: string[];
}

const NO_SERIES: ReadonlyMap<string, Series> = new Map();

/** Options of {@link MetricStore}. */
export interface MetricStoreOptions {
  /** Required. "Now" for retention and for RecentlyActive. */
  clock: Clock;
  /** Optional. Series per owner; default {@link DEFAULT_MAX_SERIES_PER_OWNER}. */
  maxSeriesPerOwner?: number;
}

/** A page of ListMetrics. */
export interface MetricPage {
  metrics: MetricIdentity[];
  /** The key to pass as `afterKey` for the next page; absent on the last page. */
  nextKey?: string;
}

/**
 * Phantom's CloudWatch metric store, in memory only: metrics are lost when the process stops.
 * Series are keyed by owner + namespace + metric name + sorted dimensions and aggregated on
 * ingest into statistic sets per bucket (see buckets.ts): 1-minute buckets for 15 days, and
 * 10-second buckets for 3 hours for StorageResolution 1 data. Each unit a series was published
 * with has its own buckets (as CloudWatch keeps units apart). Bucket numbers live in chunks of
 * 16 buckets (512 bytes) in a shared pool: a series costs about 0.7 KB of objects plus 512 bytes
 * per 16 minutes of data received (and per 160 s of high-resolution data), at most ~0.7 MB +
 * 35 KB at full retention; the number of series per owner is capped.
 */
export class MetricStore {
  private readonly owners = new Map<string, OwnerMetrics>();
  /** Where every series' bucket chunks live. */
  private readonly pool = new ChunkPool(CHUNK_LENGTH);
  private readonly clock: Clock;
  readonly maxSeriesPerOwner: number;

  constructor(opts: MetricStoreOptions) {
    this.clock = opts.clock;
    this.maxSeriesPerOwner = opts.maxSeriesPerOwner ?? DEFAULT_MAX_SERIES_PER_OWNER;
  }

  /** How many series `owner` has. */
  seriesCount(owner: string): number {
    return this.owners.get(owner)?.series.size ?? 0;
  }

  /**
   * Ingests datapoints of one namespace, all or none. Input is trusted to be valid (the API
   * checks wire limits); each datum's statistic set must have sampleCount > 0. High-resolution
   * data older than 3 hours only reaches the minute buckets.
   * @throws PhantomError Validation on a repeated dimension name; LimitExceeded when the new
   *   series would take the owner past the cap (nothing is written then).
   */
  put(owner: string, namespace: string, data: readonly MetricDatum[]): void {
    const metrics = this.ownerMetrics(owner);
    const series = metrics.series;
    const keyed = data.map((d) => ({ datum: d, dimensions: sortDimensions(d.dimensions) }));
    const keys = keyed.map(({ datum, dimensions }) => metricKey(namespace, datum.metricName, dimensions));
    const fresh = new Set(keys.filter((k) => !series.has(k)));
    if (series.size + fresh.size > this.maxSeriesPerOwner) {
      throw new PhantomError(
        'LimitExceeded',
        `The request would create ${fresh.size} new metrics, taking the account past its limit of ${this.maxSeriesPerOwner} metrics (it has ${series.size}).`,
      );
    }
    const nowMs = this.clock.now().getTime();
    for (let i = 0; i < keyed.length; i++) {
      const { datum, dimensions } = keyed[i]!;
      const key = keys[i]!;
      let entry = series.get(key);
      if (!entry) {
        entry = { identity: { namespace, metricName: datum.metricName, dimensions }, units: [], lastReceivedMs: nowMs };
        series.set(key, entry);
        delete metrics.sortedKeys;
      }
      entry.lastReceivedMs = nowMs;
      const buckets = this.unitSeries(entry, datum.unit);
      buckets.minute.add(datum.timestampMs, datum.stats);
      if (datum.highResolution && datum.timestampMs >= nowMs - HIGH_RES_RETENTION_MS) {
        buckets.fine ??= new BucketSeries(FINE_MS, this.pool);
        buckets.fine.add(datum.timestampMs, datum.stats);
      }
    }
  }

  /**
   * GetMetricStatistics: the windows of `periodSeconds` from the start (rounded down to the
   * bucket width: 10 s for periods under 60, else 1 minute) to the end, one entry per window and
   * unit that has data, in time order. Periods of 1 and 5 seconds are answered from 10-second
   * buckets, so such a window holds data only when a bucket starts in it.
   * @throws PhantomError Validation on a period that is neither 1/5/10/30 nor a multiple of 60.
   */
  statistics(owner: string, q: StatisticsQuery): WindowStats[] {
    const resolutionMs = resolutionOf(q.periodSeconds);
    const entry = this.seriesOf(owner).get(identityKey(q.metric));
    if (!entry) return [];
    const alignedStartMs = Math.floor(q.startMs / resolutionMs) * resolutionMs;
    const periodMs = q.periodSeconds * 1000;
    const out: WindowStats[] = [];
    for (const u of entry.units) {
      if (q.unit !== undefined && u.unit !== q.unit) continue;
      const buckets = resolutionMs === FINE_MS ? u.fine : u.minute;
      if (!buckets) continue;
      const windows = new Map<number, Accumulator>();
      aggregateWindows(buckets, alignedStartMs, q.endMs, periodMs, windows);
      for (const acc of windows.values()) out.push({ ...toStatisticSet(acc)!, timestampMs: acc.startMs, unit: u.unit });
    }
    return out.sort((a, b) => a.timestampMs - b.timestampMs);
  }

  /**
   * For evaluators: the last `count` complete windows of `periodSeconds` before `endMs`, aligned
   * to multiples of the period since the epoch, oldest first; undefined where a window has no
   * data. Every unit is merged unless `unit` is given. One call per metric (e.g. per group).
   * @throws PhantomError Validation on an invalid period.
   */
  windows(
    owner: string,
    metric: MetricIdentity,
    periodSeconds: number,
    endMs: number,
    count: number,
    unit?: string,
  ): (StatisticSet | undefined)[] {
    const resolutionMs = resolutionOf(periodSeconds);
    const periodMs = periodSeconds * 1000;
    const lastEndMs = Math.floor(endMs / periodMs) * periodMs;
    const firstStartMs = lastEndMs - count * periodMs;
    const merged = new Map<number, Accumulator>();
    const entry = this.seriesOf(owner).get(identityKey(metric));
    for (const u of entry?.units ?? []) {
      if (unit !== undefined && u.unit !== unit) continue;
      const buckets = resolutionMs === FINE_MS ? u.fine : u.minute;
      if (buckets) aggregateWindows(buckets, firstStartMs, lastEndMs, periodMs, merged);
    }
    return Array.from({ length: count }, (_, i) => toStatisticSet(merged.get(i)));
  }

  /** The last complete window of `periodSeconds` before `nowMs` (see {@link windows}), if it has data. */
  latestAggregate(
    owner: string,
    metric: MetricIdentity,
    periodSeconds: number,
    nowMs: number,
    unit?: string,
  ): StatisticSet | undefined {
    return this.windows(owner, metric, periodSeconds, nowMs, 1, unit)[0];
  }

  /**
   * ListMetrics: the owner's metrics matching `filter`, in key order, after `afterKey`, at most
   * `limit` of them. Only metrics that received data within the last 15 days exist.
   */
  list(owner: string, filter: MetricFilter, limit: number, afterKey?: string): MetricPage {
    const metrics = this.owners.get(owner);
    if (!metrics) return { metrics: [] };
    // Sorted once per change of the series set, not per page: paging through n series stays O(n).
    metrics.sortedKeys ??= [...metrics.series.keys()].sort(byCodeUnit);
    const keys = metrics.sortedKeys;
    const page: MetricIdentity[] = [];
    let lastKey = '';
    for (let i = afterKey === undefined ? 0 : firstAfter(keys, afterKey); i < keys.length; i++) {
      const entry = metrics.series.get(keys[i]!)!;
      if (!matches(entry.identity, entry.lastReceivedMs, filter)) continue;
      if (page.length === limit) return { metrics: page, nextKey: lastKey };
      page.push(entry.identity);
      lastKey = keys[i]!;
    }
    return { metrics: page };
  }

  /**
   * Drops buckets past retention, and series left with none (which frees their place under the
   * cap). Run it periodically (e.g. every minute). @returns the number of series removed.
   */
  prune(): number {
    const nowMs = this.clock.now().getTime();
    let removed = 0;
    for (const [owner, metrics] of this.owners) {
      const series = metrics.series;
      for (const [key, entry] of series) {
        entry.units = entry.units.filter((u) => {
          if (u.fine?.prune(nowMs - HIGH_RES_RETENTION_MS)) delete u.fine;
          return !u.minute.prune(nowMs - MINUTE_RETENTION_MS) || u.fine !== undefined;
        });
        if (entry.units.length === 0) {
          series.delete(key);
          delete metrics.sortedKeys;
          removed++;
        }
      }
      if (series.size === 0) this.owners.delete(owner);
    }
    return removed;
  }

  /** Chunks in use, each {@link CHUNK_LENGTH} × 8 bytes (for tests and memory accounting). */
  get liveChunks(): number {
    return this.pool.live;
  }

  private unitSeries(entry: Series, unit: string): UnitSeries {
    let found = entry.units.find((u) => u.unit === unit);
    if (!found) {
      found = { unit, minute: new BucketSeries(MINUTE_MS, this.pool) };
      entry.units.push(found);
    }
    return found;
  }

  /** The owner's series (created for a write). */
  private ownerMetrics(owner: string): OwnerMetrics {
    let metrics = this.owners.get(owner);
    if (!metrics) {
      metrics = { series: new Map() };
      this.owners.set(owner, metrics);
    }
    return metrics;
  }

  /** The owner's series for a read (an unknown owner gets an empty map, and no entry). */
  private seriesOf(owner: string): ReadonlyMap<string, Series> {
    return this.owners.get(owner)?.series ?? NO_SERIES;
  }
}

/** The bucket width a period is answered from. @throws PhantomError Validation on an invalid period. */
export function resolutionOf(periodSeconds: number): number {
  if (HIGH_RES_PERIODS.includes(periodSeconds)) return FINE_MS;
  if (Number.isInteger(periodSeconds) && periodSeconds >= 60 && periodSeconds % 60 === 0) return MINUTE_MS;
  throw new PhantomError(
    'Validation',
    `The parameter Period must be 1, 5, 10, 30 or a multiple of 60 (seconds); it is ${periodSeconds}.`,
  );
}
