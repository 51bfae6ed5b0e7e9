import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedClock } from '../../contracts/clock.ts';
import { PhantomError } from '../../contracts/errors.ts';
import { BucketSeries, CHUNK_LENGTH, CHUNK_SLOTS } from './buckets.ts';
import { ChunkPool } from './chunk-pool.ts';
import { ingestInstanceMetrics } from './ec2.ts';
import { metricKey } from './metric-key.ts';
import { HIGH_RES_RETENTION_MS, MetricStore, MINUTE_RETENTION_MS } from './metric-store.ts';
import type { MetricDatum, MetricIdentity } from './types.ts';

const T0 = Date.parse('2026-11-25T12:00:00Z');
const one = (v: number) => ({ sampleCount: 1, sum: v, minimum: v, maximum: v });
const datum = (over: Partial<MetricDatum> & { value?: number } = {}): MetricDatum => ({
  metricName: 'Load',
  dimensions: [{ name: 'Host', value: 'a' }],
  timestampMs: T0,
  stats: one(over.value ?? 1),
  unit: 'None',
  highResolution: false,
  ...over,
});
const LOAD: MetricIdentity = { namespace: 'App', metricName: 'Load', dimensions: [{ name: 'Host', value: 'a' }] };

function setup(maxSeriesPerOwner?: number) {
  const clock = new FixedClock(new Date(T0));
  return { clock, store: new MetricStore({ clock, ...(maxSeriesPerOwner ? { maxSeriesPerOwner } : {}) }) };
}

describe('BucketSeries', () => {
  it('merges datapoints of one bucket into one statistic set and skips empty buckets', () => {
    const s = new BucketSeries(60_000, new ChunkPool(CHUNK_LENGTH));
    s.add(T0 + 1000, one(3));
    s.add(T0 + 59_999, { sampleCount: 2, sum: 10, minimum: -1, maximum: 11 });
    s.add(T0 + 120_000, one(7));
    const seen: number[][] = [];
    s.forEach(T0, T0 + 10 * 60_000, (start, ...rest) => seen.push([start - T0, ...rest]));
    assert.deepEqual(seen, [
      [0, 3, 13, -1, 11],
      [120_000, 1, 7, 7, 7],
    ]);
  });

  it('allocates chunks lazily and prunes whole chunks older than the cut-off', () => {
    const s = new BucketSeries(10_000, new ChunkPool(CHUNK_LENGTH));
    s.add(T0, one(1));
    s.add(T0 + CHUNK_SLOTS * 10_000 * 5, one(1));
    assert.equal(s.chunkCount, 2);
    assert.equal(s.prune(T0 + CHUNK_SLOTS * 10_000 * 3), false);
    assert.equal(s.chunkCount, 1);
    assert.equal(s.prune(T0 + CHUNK_SLOTS * 10_000 * 10), true);
  });
});

describe('metricKey', () => {
  it('is the same whatever the dimension order, and refuses a repeated name', () => {
    const a = metricKey('N', 'M', [
      { name: 'b', value: '2' },
      { name: 'a', value: '1' },
    ]);
    assert.equal(
      a,
      metricKey('N', 'M', [
        { name: 'a', value: '1' },
        { name: 'b', value: '2' },
      ]),
    );
    assert.notEqual(a, metricKey('N', 'M', [{ name: 'a', value: '1' }]));
    assert.throws(
      () =>
        metricKey('N', 'M', [
          { name: 'a', value: '1' },
          { name: 'a', value: '2' },
        ]),
      PhantomError,
    );
  });
});

describe('MetricStore', () => {
  it('answers statistics per period window, rounding the start down to the minute', () => {
    const { store } = setup();
    store.put('u1', 'App', [
      datum({ value: 1, timestampMs: T0 + 5_000 }),
      datum({ value: 3, timestampMs: T0 + 65_000 }),
      datum({ value: 8, timestampMs: T0 + 5 * 60_000 }),
      datum({ stats: { sampleCount: 4, sum: 20, minimum: 2, maximum: 9 }, timestampMs: T0 + 6 * 60_000 }),
    ]);
    const points = store.statistics('u1', {
      metric: LOAD,
      startMs: T0 + 30_000,
      endMs: T0 + 600_000,
      periodSeconds: 300,
    });
    assert.deepEqual(points, [
      { timestampMs: T0, sampleCount: 2, sum: 4, minimum: 1, maximum: 3, unit: 'None' },
      { timestampMs: T0 + 300_000, sampleCount: 5, sum: 28, minimum: 2, maximum: 9, unit: 'None' },
    ]);
  });

  it('keeps units apart and filters by unit', () => {
    const { store } = setup();
    store.put('u1', 'App', [datum({ value: 1, unit: 'Count' }), datum({ value: 5, unit: 'Percent' })]);
    const all = store.statistics('u1', { metric: LOAD, startMs: T0, endMs: T0 + 60_000, periodSeconds: 60 });
    assert.deepEqual(all.map((p) => [p.unit, p.sum]).sort(), [
      ['Count', 1],
      ['Percent', 5],
    ]);
    const pct = store.statistics('u1', {
      metric: LOAD,
      startMs: T0,
      endMs: T0 + 60_000,
      periodSeconds: 60,
      unit: 'Percent',
    });
    assert.deepEqual(
      pct.map((p) => p.sum),
      [5],
    );
  });

  it('serves periods under 60 s only from StorageResolution 1 data, in 10-second buckets', () => {
    const { store, clock } = setup();
    clock.advance(60_000);
    store.put('u1', 'App', [
      datum({ value: 1, timestampMs: T0 + 1_000, highResolution: true }),
      datum({ value: 2, timestampMs: T0 + 12_000, highResolution: true }),
      datum({ value: 100, timestampMs: T0 + 14_000 }),
    ]);
    const q = { metric: LOAD, startMs: T0, endMs: T0 + 60_000 };
    assert.deepEqual(
      store.statistics('u1', { ...q, periodSeconds: 10 }).map((p) => [p.timestampMs - T0, p.sum]),
      [
        [0, 1],
        [10_000, 2],
      ],
    );
    assert.deepEqual(
      store.statistics('u1', { ...q, periodSeconds: 30 }).map((p) => p.sum),
      [3],
    );
    assert.deepEqual(
      store.statistics('u1', { ...q, periodSeconds: 60 }).map((p) => p.sum),
      [103],
    );
    assert.throws(() => store.statistics('u1', { ...q, periodSeconds: 90 }), /multiple of 60/);
    assert.throws(() => store.statistics('u1', { ...q, periodSeconds: 20 }), /multiple of 60/);
  });

  it('prunes 10-second buckets after 3 hours and minute buckets (and the series) after 15 days', () => {
    const { store, clock } = setup();
    store.put('u1', 'App', [datum({ value: 4, highResolution: true })]);
    const q = { metric: LOAD, startMs: T0, endMs: T0 + 60_000 };
    assert.equal(store.liveChunks, 2); // one 10-second chunk, one minute chunk
    clock.advance(HIGH_RES_RETENTION_MS + 10 * 60_000);
    assert.equal(store.prune(), 0);
    assert.equal(store.liveChunks, 1);
    assert.deepEqual(store.statistics('u1', { ...q, periodSeconds: 10 }), []);
    assert.equal(store.statistics('u1', { ...q, periodSeconds: 60 }).length, 1);
    clock.advance(MINUTE_RETENTION_MS);
    assert.equal(store.prune(), 1);
    assert.equal(store.seriesCount('u1'), 0);
    assert.equal(store.liveChunks, 0);
    assert.deepEqual(store.list('u1', {}, 500).metrics, []);
  });

  it('does not keep high-resolution buckets for data already older than 3 hours', () => {
    const { store } = setup();
    store.put('u1', 'App', [datum({ highResolution: true, timestampMs: T0 - HIGH_RES_RETENTION_MS - 1 })]);
    const q = { metric: LOAD, startMs: T0 - 4 * 3600_000, endMs: T0, periodSeconds: 10 };
    assert.deepEqual(store.statistics('u1', q), []);
    assert.equal(store.statistics('u1', { ...q, periodSeconds: 60 }).length, 1);
  });

  it('caps series per owner, all or nothing, counting existing series once', () => {
    const { store } = setup(2);
    const host = (h: string) => datum({ dimensions: [{ name: 'Host', value: h }] });
    store.put('u1', 'App', [host('a'), host('a'), host('b')]);
    assert.throws(
      () => store.put('u1', 'App', [host('a'), host('c')]),
      (e: unknown) => e instanceof PhantomError && e.code === 'LimitExceeded',
    );
    assert.equal(
      store.statistics('u1', { metric: LOAD, startMs: T0, endMs: T0 + 60_000, periodSeconds: 60 })[0]!.sampleCount,
      2,
    );
    store.put('u1', 'App', [host('b')]);
    store.put('u2', 'App', [host('c'), host('d')]); // another owner has its own cap
    assert.equal(store.seriesCount('u1'), 2);
  });

  it('keeps owners apart', () => {
    const { store } = setup();
    store.put('u1', 'App', [datum()]);
    assert.deepEqual(store.list('u2', {}, 500).metrics, []);
    assert.deepEqual(store.statistics('u2', { metric: LOAD, startMs: T0, endMs: T0 + 60_000, periodSeconds: 60 }), []);
    assert.equal(store.latestAggregate('u2', LOAD, 60, T0 + 60_000), undefined);
  });

  it('lists with filters and pages in key order', () => {
    const { store, clock } = setup();
    const d = (name: string, dims: [string, string][]) =>
      datum({ metricName: name, dimensions: dims.map(([n, v]) => ({ name: n, value: v })) });
    store.put('u1', 'App', [
      d('B', [['Host', 'x']]),
      d('A', [
        ['Host', 'y'],
        ['Az', 'z'],
      ]),
      d('A', []),
    ]);
    clock.advance(4 * 3600_000);
    store.put('u1', 'Other', [d('A', [['Host', 'x']])]);
    const names = (p: { metrics: MetricIdentity[] }) =>
      p.metrics.map((m) => `${m.namespace}/${m.metricName}/${m.dimensions.map((x) => x.name).join(',')}`);
    assert.deepEqual(names(store.list('u1', {}, 500)), ['App/A/', 'App/A/Az,Host', 'App/B/Host', 'Other/A/Host']);
    assert.deepEqual(names(store.list('u1', { namespace: 'App', metricName: 'A' }, 500)), ['App/A/', 'App/A/Az,Host']);
    assert.deepEqual(names(store.list('u1', { dimensions: [{ name: 'Host', value: 'x' }] }, 500)), [
      'App/B/Host',
      'Other/A/Host',
    ]);
    assert.deepEqual(names(store.list('u1', { dimensions: [{ name: 'Az' }] }, 500)), ['App/A/Az,Host']);
    assert.deepEqual(names(store.list('u1', { activeSinceMs: T0 + 3600_000 }, 500)), ['Other/A/Host']);
    const first = store.list('u1', {}, 3);
    assert.equal(first.metrics.length, 3);
    const rest = store.list('u1', {}, 3, first.nextKey);
    assert.deepEqual(names(rest), ['Other/A/Host']);
    assert.equal(rest.nextKey, undefined);
    // A new series lands in its sorted place on the next listing (the key order is rebuilt).
    store.put('u1', 'App', [d('AA', [])]);
    assert.deepEqual(names(store.list('u1', { namespace: 'App' }, 2, store.list('u1', {}, 1).nextKey)), [
      'App/A/Az,Host',
      'App/AA/',
    ]);
  });

  it('reads the last complete windows aligned to the period, for evaluators', () => {
    const { store } = setup();
    store.put('u1', 'App', [
      datum({ value: 10, timestampMs: T0 + 10_000 }),
      datum({ value: 20, timestampMs: T0 + 70_000 }),
      datum({ value: 99, timestampMs: T0 + 130_000 }), // in the current, incomplete window
    ]);
    assert.deepEqual(store.latestAggregate('u1', LOAD, 60, T0 + 150_000), one(20));
    assert.deepEqual(store.windows('u1', LOAD, 60, T0 + 150_000, 3), [undefined, one(10), one(20)]);
    assert.deepEqual(store.windows('u1', LOAD, 120, T0 + 150_000, 1), [
      { sampleCount: 2, sum: 30, minimum: 10, maximum: 20 },
    ]);
  });
});

describe('ingestInstanceMetrics', () => {
  it('stores each sample per instance and per group, and drops what it cannot store', () => {
    const { store } = setup(3);
    const sample = (instanceId: string, value: number) => ({
      instanceId,
      groupName: 'g1',
      metricName: 'CPUUtilization',
      value,
      unit: 'Percent',
      timestampMs: T0,
    });
    assert.deepEqual(ingestInstanceMetrics(store, 'u1', [sample('i-1', 10), sample('i-2', 30), sample('i-3', NaN)]), {
      written: 4,
      dropped: 1,
    });
    const group = {
      namespace: 'AWS/EC2',
      metricName: 'CPUUtilization',
      dimensions: [{ name: 'AutoScalingGroupName', value: 'g1' }],
    };
    assert.deepEqual(store.latestAggregate('u1', group, 60, T0 + 60_000), {
      sampleCount: 2,
      sum: 40,
      minimum: 10,
      maximum: 30,
    });
    // The cap (3 series) leaves room for the group series only: i-4's own series is refused.
    assert.deepEqual(ingestInstanceMetrics(store, 'u1', [sample('i-4', 50)]), { written: 1, dropped: 1 });
  });
});

describe('BucketSeries ordering', () => {
  it('keeps chunks written out of time order sorted, for reads and pruning', () => {
    const s = new BucketSeries(60_000, new ChunkPool(CHUNK_LENGTH));
    const span = CHUNK_SLOTS * 60_000;
    for (const k of [3, 0, 5, 1]) s.add(T0 + k * span, one(k));
    const seen: number[] = [];
    s.forEach(T0, T0 + 10 * span, (_start, _count, sum) => seen.push(sum));
    assert.deepEqual(seen, [0, 1, 3, 5]);
    s.add(T0 + 3 * span + 60_000, one(1)); // an existing chunk is found again, not duplicated
    assert.equal(s.chunkCount, 4);
    s.prune(T0 + 2 * span);
    assert.equal(s.chunkCount, 2);
  });
});
