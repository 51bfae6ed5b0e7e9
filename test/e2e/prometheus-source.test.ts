// The Prometheus metric source against a real Prometheus (Debian's /usr/bin/prometheus): it
// scrapes a tiny exposition endpoint served here, and the source's instant queries must read
// the right series, escape hostile group names, and report empty, several-series, non-finite
// and malformed answers as the contract says. Everything listens on 127.0.0.1 only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSourceError, type MetricSourceErrorCode } from '../../src/contracts/metric-source.ts';
import { parsePrometheusSettings } from '../../src/metrics/prometheus/settings.ts';
import { PrometheusSource } from '../../src/metrics/prometheus/source.ts';
import { requireClient } from '../support/process.ts';
import { prometheusAvailable, startTestPrometheus, type TestPrometheus } from '../support/prometheus.ts';

const HOSTILE_GROUP = 'we"ird\\\n} or {x="';
const UNICODE_GROUP = 'grüppe ✓ 𝄞';
/** Exposition-format label value escaping: backslash, quote, newline. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const EXPOSITION = [
  '# TYPE phantom_test_load gauge',
  'phantom_test_load{phantom_owner="alice",phantom_group="web"} 3.5',
  'phantom_test_load{phantom_owner="bob",phantom_group="web"} 100',
  `phantom_test_load{phantom_owner="alice",phantom_group="${label(HOSTILE_GROUP)}"} 7`,
  `phantom_test_load{phantom_owner="alice",phantom_group="${label(UNICODE_GROUP)}"} 11`,
  'phantom_test_load{phantom_owner="alice",phantom_group="db",shard="1"} 1',
  'phantom_test_load{phantom_owner="alice",phantom_group="db",shard="2"} 2',
  '',
].join('\n');

const SELECTOR = 'phantom_test_load{phantom_owner="{{owner}}", phantom_group="{{group}}"}';
const QUERIES = {
  load: `sum(${SELECTOR})`,
  strict: { query: `sum(${SELECTOR})`, ignoreNullValues: false },
  series: SELECTOR,
  matching: `sum(phantom_test_load{phantom_owner="{{owner}}", phantom_group=~"{{group}}"})`,
  infinite: `sum(${SELECTOR}) / 0`,
  scalar: `scalar(sum(${SELECTOR}))`,
  broken: `sum(rate(${SELECTOR}[1m])`,
};

describe('PrometheusSource against a real Prometheus', requireClient('prometheus', prometheusAvailable), () => {
  let prometheus: TestPrometheus;
  let source: PrometheusSource;

  before(async () => {
    prometheus = await startTestPrometheus(() => EXPOSITION, { query: 'phantom_test_load', series: 6 });
    const settings = parsePrometheusSettings(
      { url: prometheus.url, timeoutMs: 5000, queries: QUERIES },
      'metrics.prometheus',
    );
    source = new PrometheusSource({ settings, fetch });
  });

  after(() => prometheus?.close());

  const ask = (owner: string, group: string, metricName = 'load', now = new Date()) =>
    source.query({
      owner,
      group,
      metric: { namespace: 'Phantom/Prometheus', metricName, dimensions: [] },
      now,
      signal: AbortSignal.timeout(10_000),
    });
  const fails = (code: MetricSourceErrorCode, pattern: RegExp) => (e: unknown) => {
    assert.ok(e instanceof MetricSourceError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  };

  it("reads the owner's and group's own series (another owner's group of the same name is another value)", async () => {
    assert.equal(await ask('alice', 'web'), 3.5);
    assert.equal(await ask('bob', 'web'), 100);
  });

  it('matches hostile and non-ASCII group names exactly, through the escaping', async () => {
    assert.equal(await ask('alice', HOSTILE_GROUP), 7);
    assert.equal(await ask('alice', UNICODE_GROUP), 11);
  });

  it('keeps a regex-like group name literal after =~ (no widening to other groups)', async () => {
    assert.equal(await ask('alice', 'web', 'matching'), 3.5);
    assert.equal(await ask('alice', '.*', 'matching'), 0, '.* matches no group literally named .*');
    await assert.rejects(ask('alice', '.*', 'strict'), fails('BadResult', /query strict returned no series/));
  });

  it('reads an empty result as 0, or as an error with ignoreNullValues false', async () => {
    assert.equal(await ask('alice', 'nosuchgroup'), 0);
    await assert.rejects(ask('alice', 'nosuchgroup', 'strict'), fails('BadResult', /the target may be lost/));
  });

  it('queries at the evaluation time it is given', async () => {
    const anHourAgo = new Date(Date.now() - 3600_000);
    await assert.rejects(ask('alice', 'web', 'strict', anHourAgo), fails('BadResult', /returned no series/));
  });

  it('refuses several series, ±Inf and a scalar', async () => {
    await assert.rejects(
      ask('alice', 'db', 'series'),
      fails('BadResult', /query series returned 2 series; exactly one/),
    );
    await assert.rejects(ask('alice', 'web', 'infinite'), fails('BadResult', /returned \+Inf, not a finite number/));
    await assert.rejects(ask('alice', 'web', 'scalar'), fails('BadResult', /returned a scalar, not an instant vector/));
  });

  it("reports a query Prometheus cannot parse with Prometheus's reason", async () => {
    await assert.rejects(
      ask('alice', 'web', 'broken'),
      fails('QueryFailed', /^Prometheus refused query broken: bad_data: .*parse error/),
    );
  });
});
