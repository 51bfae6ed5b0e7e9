import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSourceError, type MetricSource } from '../contracts/metric-source.ts';
import { metricRefOfTrackedMetric, sensorMetricRef } from './metric-ref.ts';
import { metricSourcesFromConfig, MetricSources } from './metric-sources.ts';
import { parsePrometheusSettings } from './prometheus/settings.ts';

const fixed = (namespace: string, value: number): MetricSource => ({
  handles: (ns) => ns === namespace,
  validate: () => undefined,
  query: () => Promise.resolve(value),
});
const request = (namespace: string) => ({
  owner: 'alice',
  group: 'web',
  metric: { namespace, metricName: 'm', dimensions: [] },
  now: new Date(0),
  signal: new AbortController().signal,
});

describe('MetricSources', () => {
  const sources = new MetricSources([fixed('Phantom/Prometheus', 1), fixed('Custom/App', 2)]);
  it('sends each reference to the source of its namespace', async () => {
    assert.equal(await sources.query(request('Phantom/Prometheus')), 1);
    assert.equal(await sources.query(request('Custom/App')), 2);
    assert.ok(sources.handles('Custom/App') && !sources.handles('AWS/EC2'));
  });
  it('refuses a namespace no source serves as NotConfigured, in validate and (as a rejection) in query', async () => {
    const notConfigured = (e: unknown) =>
      e instanceof MetricSourceError && e.code === 'NotConfigured' && /serves the namespace AWS\/EC2/.test(e.message);
    assert.throws(() => sources.validate(request('AWS/EC2')), notConfigured);
    await assert.rejects(sources.query(request('AWS/EC2')), notConfigured);
  });
});

describe('metricSourcesFromConfig', () => {
  it('serves Phantom/Prometheus only when metrics.prometheus is configured, after the other sources', async () => {
    assert.equal(metricSourcesFromConfig({}).handles('Phantom/Prometheus'), false);
    const prometheus = parsePrometheusSettings({ url: 'http://127.0.0.1:9', queries: { q: 'up' } }, 'p');
    const sources = metricSourcesFromConfig({ prometheus }, [fixed('Custom/App', 5)]);
    assert.ok(sources.handles('Phantom/Prometheus'));
    assert.equal(await sources.query(request('Custom/App')), 5);
    const unknown = {
      ...request('Phantom/Prometheus'),
      metric: { namespace: 'Phantom/Prometheus', metricName: 'x', dimensions: [] },
    };
    assert.throws(() => sources.validate(unknown), /no Prometheus query is named x/);
  });
});

describe('metric references', () => {
  it("maps a target tracking policy's customized metric, or its single MetricStat", () => {
    const dimensions = [{ name: 'Queue', value: 'jobs' }];
    const customized = {
      kind: 'customized',
      namespace: 'Phantom/Prometheus',
      metricName: 'queue',
      dimensions,
      statistic: 'Average',
      period: 60,
    } as const;
    assert.deepEqual(metricRefOfTrackedMetric(customized), {
      namespace: 'Phantom/Prometheus',
      metricName: 'queue',
      dimensions,
    });
    const stat = { id: 'm1', namespace: 'Phantom/Prometheus', metricName: 'cpu', dimensions: [], stat: 'Average' };
    assert.deepEqual(metricRefOfTrackedMetric({ kind: 'metrics', queries: [stat] }), {
      namespace: 'Phantom/Prometheus',
      metricName: 'cpu',
      dimensions: [],
    });
    assert.equal(metricRefOfTrackedMetric({ kind: 'metrics', queries: [stat, { ...stat, id: 'm2' }] }), undefined);
    assert.equal(
      metricRefOfTrackedMetric({ kind: 'predefined', predefinedMetricType: 'ASGAverageCPUUtilization' }),
      undefined,
    );
  });
  it("maps a sensor domain's metric tag onto the operator's named query", () => {
    assert.deepEqual(sensorMetricRef('load'), { namespace: 'Phantom/Prometheus', metricName: 'load', dimensions: [] });
  });
});
