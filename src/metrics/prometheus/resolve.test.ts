import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSourceError, type MetricRefDimension } from '../../contracts/metric-source.ts';
import { resolvePrometheusQuery } from './resolve.ts';
import { parsePrometheusSettings } from './settings.ts';

const settings = (extra: Record<string, unknown> = {}) =>
  parsePrometheusSettings(
    {
      url: 'http://127.0.0.1:9090',
      queries: {
        cpu: 'avg(cpu{phantom_owner="{{owner}}", phantom_group="{{group}}"})',
        queue: { query: 'sum(depth{owner="{{owner}}", queue=~"{{dimension.Queue}}"})', ignoreNullValues: false },
      },
      ...extra,
    },
    'metrics.prometheus',
  );
const subject = (metricName: string, dimensions: MetricRefDimension[] = [], group = 'web') => ({
  owner: 'alice',
  group,
  metric: { namespace: 'Phantom/Prometheus', metricName, dimensions },
});
const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof MetricSourceError && e.code === 'InvalidMetric' && pattern.test(e.message);

describe('resolvePrometheusQuery', () => {
  it('selects a named query by MetricName and substitutes owner and group', () => {
    assert.deepEqual(resolvePrometheusQuery(settings(), subject('cpu')), {
      promql: 'avg(cpu{phantom_owner="alice", phantom_group="web"})',
      ignoreNullValues: true,
      label: 'query cpu',
    });
  });

  it("fills a declared dimension (regex-escaped after =~) and keeps the query's ignoreNullValues", () => {
    const resolved = resolvePrometheusQuery(settings(), subject('queue', [{ name: 'Queue', value: 'jobs.high|.*' }]));
    assert.equal(resolved.promql, 'sum(depth{owner="alice", queue=~"jobs\\\\.high\\\\|\\\\.\\\\*"})');
    assert.equal(resolved.ignoreNullValues, false);
  });

  it('accepts AutoScalingGroupName naming the evaluated group, as AWS clients habitually send it', () => {
    const dims = [{ name: 'AutoScalingGroupName', value: 'web' }];
    assert.equal(
      resolvePrometheusQuery(settings(), subject('cpu', dims)).promql,
      'avg(cpu{phantom_owner="alice", phantom_group="web"})',
    );
  });

  it('keeps a hostile group name inside its label value', () => {
    const { promql } = resolvePrometheusQuery(settings(), subject('cpu', [], 'x"} or cpu{phantom_owner=~".*'));
    assert.equal(promql, 'avg(cpu{phantom_owner="alice", phantom_group="x\\"} or cpu{phantom_owner=~\\".*"})');
  });

  const refused: [string, ReturnType<typeof subject>, RegExp][] = [
    [
      'another namespace',
      { ...subject('cpu'), metric: { namespace: 'AWS/EC2', metricName: 'cpu', dimensions: [] } },
      /namespace AWS\/EC2 is not served/,
    ],
    ['an unknown query', subject('memory'), /no Prometheus query is named memory \(this Phantom defines: cpu, queue\)/],
    ['a missing declared dimension', subject('queue'), /query queue needs the dimension Queue/],
    [
      'an undeclared dimension',
      subject('cpu', [{ name: 'Stage', value: 'x' }]),
      /query cpu takes no dimension Stage \(it takes: none\)/,
    ],
    [
      'AutoScalingGroupName naming another group',
      subject('cpu', [{ name: 'AutoScalingGroupName', value: 'db' }]),
      /must name this group, web/,
    ],
    [
      'a dimension given twice',
      subject('queue', [
        { name: 'Queue', value: 'a' },
        { name: 'Queue', value: 'b' },
      ]),
      /given twice/,
    ],
    [
      'a value that cannot be escaped',
      subject('queue', [{ name: 'Queue', value: '\uD800' }]),
      /query queue: the dimension Queue holds an unpaired surrogate/,
    ],
    ['an over-long group name', subject('cpu', [], 'g'.repeat(1025)), /query cpu: the group is longer than 1024/],
    [
      'free-form PromQL when the operator has not enabled it',
      subject('PromQL', [{ name: 'Query', value: 'up' }]),
      /free-form PromQL is not enabled on this Phantom; name one of its queries \(cpu, queue\)/,
    ],
  ];
  for (const [what, s, pattern] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => resolvePrometheusQuery(settings(), s), invalid(pattern));
    });
  }

  it('never echoes a dimension value in its messages', () => {
    const secretish = 'do-not-echo-this-value';
    for (const s of [
      subject('cpu', [{ name: 'Stage', value: secretish }]),
      subject('cpu', [{ name: 'AutoScalingGroupName', value: secretish }]),
    ])
      assert.throws(
        () => resolvePrometheusQuery(settings(), s),
        (e: unknown) => e instanceof MetricSourceError && !e.message.includes(secretish),
      );
  });

  it('shows names from the request clipped, and quoted when unprintable', () => {
    assert.throws(() => resolvePrometheusQuery(settings(), subject('m'.repeat(300))), invalid(/named m{100}… \(this/));
    assert.throws(() => resolvePrometheusQuery(settings(), subject('a\nb')), invalid(/named "a\\nb" \(this/));
    assert.throws(() => resolvePrometheusQuery(settings(), subject('')), invalid(/named "" \(this/));
  });

  describe('free-form PromQL (allowFreeFormQueries: true)', () => {
    const open = settings({ allowFreeFormQueries: true });
    it('runs the Query dimension, with the same placeholders and escaping', () => {
      const dims = [
        { name: 'Query', value: 'max(load{group="{{group}}", zone="{{dimension.Zone}}"})' },
        { name: 'Zone', value: 'a"b' },
      ];
      assert.deepEqual(resolvePrometheusQuery(open, subject('PromQL', dims)), {
        promql: 'max(load{group="web", zone="a\\"b"})',
        ignoreNullValues: true,
        label: 'the free-form query',
      });
    });
    it('refuses a missing Query, or placeholders outside label values', () => {
      assert.throws(
        () => resolvePrometheusQuery(open, subject('PromQL')),
        invalid(/needs its PromQL in the dimension Query/),
      );
      assert.throws(
        () => resolvePrometheusQuery(open, subject('PromQL', [{ name: 'Query', value: 'up{g={{group}}}' }])),
        invalid(/the free-form query: a placeholder may only stand inside/),
      );
    });
  });
});
