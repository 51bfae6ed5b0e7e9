import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_SITES, loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-config-metrics-'));
let files = 0;
const load = (text: string) => {
  const path = join(dir, `m${files++}.yaml`);
  writeFileSync(path, text);
  return loadConfig({ PHANTOM_CONFIG: path }, dir);
};
const SECRET = 'Bearer s3cr3t-t0ken';

describe('config file metrics.prometheus', () => {
  it('has no metric source by default', () => {
    assert.deepEqual(loadConfig({}, dir).metrics, {});
    assert.deepEqual(load('metrics: {}\n').metrics, {});
  });

  it('reads url, headers, limits and named queries (string or mapping form), with defaults', () => {
    const config = load(`
metrics:
  prometheus:
    url: http://127.0.0.1:9090/prom/
    headers: { Authorization: "${SECRET}", X-Scope-OrgID: tenant-1 }
    timeoutMs: 2500
    queries:
      cpu: 'avg(cpu{phantom_group="{{group}}", phantom_owner="{{owner}}"})'
      queue: { query: 'sum(depth{queue="{{dimension.Queue}}"})', ignoreNullValues: false }
`);
    const p = config.metrics.prometheus!;
    assert.equal(p.url, 'http://127.0.0.1:9090/prom');
    assert.deepEqual(p.headers, { Authorization: SECRET, 'X-Scope-OrgID': 'tenant-1' });
    assert.equal(p.timeoutMs, 2500);
    assert.equal(p.maxConcurrency, 4);
    assert.equal(p.ignoreNullValues, true);
    assert.equal(p.allowFreeFormQueries, false);
    assert.deepEqual([...p.queries.keys()], ['cpu', 'queue']);
    assert.equal(p.queries.get('cpu')!.ignoreNullValues, true);
    assert.equal(p.queries.get('queue')!.ignoreNullValues, false);
    assert.deepEqual(p.queries.get('queue')!.template.dimensions, ['Queue']);
    assert.deepEqual(config.sites, DEFAULT_SITES);
  });

  const refused: [string, RegExp][] = [
    ['metrics: [prometheus]', /metrics must be a mapping/],
    ['metrics: { graphite: {} }', /metrics: unknown key graphite \(known: prometheus\)/],
    ['metrics: { prometheus: http://x }', /metrics.prometheus must be a mapping/],
    ['metrics: { prometheus: { queries: {} } }', /metrics.prometheus.url must be an http or https URL/],
    ['metrics: { prometheus: { url: "ftp://127.0.0.1/" } }', /url must be an http or https URL/],
    ['metrics: { prometheus: { url: "127.0.0.1:9090" } }', /url must be an http or https URL/],
    ['metrics: { prometheus: { url: "http://u:pw@127.0.0.1:9090" } }', /must not hold credentials/],
    ['metrics: { prometheus: { url: "http://127.0.0.1:9090/?x=1" } }', /must not have a query/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", adress: x } }', /unknown key adress/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", headers: [a] } }', /headers must map header names/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", headers: { "a b": x } } }', /"a b" is not a header name/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", headers: { Host: x } } }', /headers.Host is set by Phantom/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", headers: { X-N: 42 } } }', /headers.X-N must be a string/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", timeoutMs: 0 } }', /timeoutMs must be an integer from 1/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", timeoutMs: "5s" } }', /timeoutMs must be an integer/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", maxConcurrency: 1000 } }', /maxConcurrency must be an integer/],
    [
      'metrics: { prometheus: { url: "http://127.0.0.1", allowFreeFormQueries: "yes" } }',
      /allowFreeFormQueries must be true or false/,
    ],
    ['metrics: { prometheus: { url: "http://127.0.0.1", queries: [a] } }', /queries must map query names/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", queries: { "a b": up } } }', /"a b" is not a query name/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", queries: { PromQL: up } } }', /PromQL is reserved/],
    ['metrics: { prometheus: { url: "http://127.0.0.1", queries: { q: 42 } } }', /queries.q must be a PromQL template/],
    [
      'metrics: { prometheus: { url: "http://127.0.0.1", queries: { q: { query: up, ttl: 1 } } } }',
      /queries.q: unknown key ttl/,
    ],
    [
      'metrics: { prometheus: { url: "http://127.0.0.1", queries: { q: "up{job={{group}}}" } } }',
      /queries.q: a placeholder may only stand inside/,
    ],
  ];
  for (const [text, pattern] of refused) {
    it(`refuses ${text}`, () => {
      assert.throws(
        () => load(text),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message) && e.message.startsWith('PHANTOM_CONFIG '),
      );
    });
  }

  it('never puts a header value in a message', () => {
    for (const bad of [`"${SECRET}\\n"`, `"${SECRET}\\u0000"`, `"${SECRET}€"`]) {
      const error = (() => {
        try {
          load(`metrics: { prometheus: { url: "http://127.0.0.1", headers: { Authorization: ${bad} } } }`);
        } catch (e) {
          return e as Error;
        }
        return undefined;
      })();
      assert.ok(error instanceof ConfigError, `refused ${bad}`);
      assert.match(error.message, /headers.Authorization holds a control or non-Latin-1 character/);
      assert.ok(!error.message.includes('s3cr3t'), error.message);
    }
  });
});
