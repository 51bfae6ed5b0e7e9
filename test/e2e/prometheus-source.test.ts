// The Prometheus metric source against a real Prometheus (Debian's /usr/bin/prometheus): it
// scrapes a tiny exposition endpoint served here, and the source's instant queries must read
// the right series, escape hostile group names, and report empty, several-series, non-finite
// and malformed answers as the contract says. Everything listens on 127.0.0.1 only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MetricSourceError, type MetricSourceErrorCode } from '../../src/contracts/metric-source.ts';
import { parsePrometheusSettings } from '../../src/metrics/prometheus/settings.ts';
import { PrometheusSource } from '../../src/metrics/prometheus/source.ts';
import { eventually } from '../support/eventually.ts';
import { freePort, requireClient, scratchDir, type Availability } from '../support/process.ts';

/** Debian's prometheus; PHANTOM_TEST_PROMETHEUS_BIN points elsewhere (e.g. to check the missing-binary path). */
const PROMETHEUS = process.env.PHANTOM_TEST_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const available: Availability = existsSync(PROMETHEUS)
  ? true
  : `${PROMETHEUS} does not exist (apt-get install prometheus)`;

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

describe('PrometheusSource against a real Prometheus', requireClient('prometheus', available), () => {
  const scratch = scratchDir('phantom-prometheus-');
  let exposition: Server;
  let prometheus: ChildProcess | undefined;
  let output = '';
  let source: PrometheusSource;

  before(async () => {
    exposition = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(EXPOSITION));
    await new Promise<void>((resolve) => exposition.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(exposition.address() as AddressInfo).port}`;
    const port = await freePort();
    prometheus = startPrometheus(scratch.dir, target, port, (chunk) => (output += chunk));
    const settings = parsePrometheusSettings(
      { url: `http://127.0.0.1:${port}`, timeoutMs: 5000, queries: QUERIES },
      'metrics.prometheus',
    );
    source = new PrometheusSource({ settings, fetch });
    // Polled directly, so the source's backoff does not slow the wait while Prometheus starts.
    await eventually(
      `Prometheus serving the scraped series (its output: ${output.slice(-2000)})`,
      () => seriesCount(port).then((n) => (n === 6 ? n : undefined)),
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nPrometheus said:\n${output.slice(-2000)}`);
    });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      const timer = setTimeout(() => prometheus!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise((resolve) => exposition?.close(resolve));
    scratch.remove();
  });

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

/** How many phantom_test_load series Prometheus holds now. */
async function seriesCount(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=phantom_test_load`);
  const body = (await response.json()) as { data?: { result?: unknown[] } };
  return body.data?.result?.length ?? 0;
}

function startPrometheus(dir: string, target: string, port: number, onOutput: (chunk: string) => void): ChildProcess {
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - { job_name: phantom-test, static_configs: [ { targets: ["${target}"] } ] }`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  return child;
}
