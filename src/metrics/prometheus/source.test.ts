import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { FixedClock } from '../../contracts/clock.ts';
import { MetricSourceError, type MetricSourceErrorCode } from '../../contracts/metric-source.ts';
import { parsePrometheusSettings } from './settings.ts';
import { PrometheusSource } from './source.ts';

const TOKEN = 'Bearer t0p-s3cret';
const settings = (extra: Record<string, unknown> = {}) =>
  parsePrometheusSettings(
    {
      url: 'http://127.0.0.1:9/prom',
      headers: { Authorization: TOKEN },
      queries: { cpu: 'avg(cpu{owner="{{owner}}", group="{{group}}"})' },
      ...extra,
    },
    'metrics.prometheus',
  );
const one = (value: string) =>
  JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] } });

/** A fetch that records each request and answers with `answer(call index)`. */
function fakeFetch(answer: (n: number, init: RequestInit) => Promise<Response> | Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = ((url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(answer(calls.length - 1, init));
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}
/** A fetch answer that never comes: rejects when the request's signal aborts, as fetch does. */
const hang = (init: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init.signal!;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason));
  });
const clock = new FixedClock(new Date('2026-12-01T10:00:00.250Z'));
const ask = (source: PrometheusSource, group = 'web', signal = new AbortController().signal) =>
  source.query({
    owner: 'alice',
    group,
    metric: { namespace: 'Phantom/Prometheus', metricName: 'cpu', dimensions: [] },
    now: clock.now(),
    signal,
  });
const failsWith = (code: MetricSourceErrorCode, pattern: RegExp) => (e: unknown) =>
  e instanceof MetricSourceError && e.code === code && pattern.test(e.message) && !e.message.includes('s3cret');

describe('PrometheusSource', () => {
  it('POSTs one instant query as a form at the evaluation time, with the configured headers', async () => {
    const { fetch, calls } = fakeFetch(() => new Response(one('0.75')));
    const source = new PrometheusSource({ settings: settings(), fetch });
    assert.equal(await ask(source), 0.75);
    assert.equal(calls.length, 1);
    const { url, init } = calls[0]!;
    assert.equal(url, 'http://127.0.0.1:9/prom/api/v1/query');
    assert.equal(init.method, 'POST');
    assert.equal(init.redirect, 'error');
    assert.equal((init.headers as Record<string, string>).Authorization, TOKEN);
    const form = new URLSearchParams(init.body as string);
    assert.equal(form.get('query'), 'avg(cpu{owner="alice", group="web"})');
    assert.equal(Number(form.get('time')), Date.parse('2026-12-01T10:00:00.250Z') / 1000);
    assert.equal(form.get('timeout'), '5s');
  });

  it('serves only its namespace and validates without querying', () => {
    const { fetch, calls } = fakeFetch(() => new Response(one('1')));
    const source = new PrometheusSource({ settings: settings(), fetch });
    assert.ok(
      source.handles('Phantom/Prometheus') && !source.handles('AWS/EC2') && !source.handles('phantom/prometheus'),
    );
    const metric = { namespace: 'Phantom/Prometheus', metricName: 'nope', dimensions: [] };
    assert.throws(
      () => source.validate({ owner: 'a', group: 'g', metric }),
      failsWith('InvalidMetric', /no Prometheus query is named nope/),
    );
    assert.equal(calls.length, 0);
  });

  it('gives up after timeoutMs with an Unavailable error', async () => {
    const { fetch } = fakeFetch((_n, init) => hang(init));
    const source = new PrometheusSource({ settings: settings({ timeoutMs: 30 }), fetch });
    await assert.rejects(ask(source), failsWith('Unavailable', /^Prometheus did not answer query cpu within 30 ms$/));
  });

  it("rejects with the caller's abort reason, which is not counted as a failure", async () => {
    let n = 0;
    const { fetch } = fakeFetch((_n, init) => (n++ === 0 ? hang(init) : new Response(one('2'))));
    const source = new PrometheusSource({ settings: settings(), fetch });
    const controller = new AbortController();
    const pending = ask(source, 'web', controller.signal);
    const reason = new Error('evaluation cancelled');
    controller.abort(reason);
    await assert.rejects(pending, (e) => e === reason);
    assert.equal(await ask(source), 2, 'no backoff after an abort');
  });

  it('names a network failure by its code, never the address or the headers', async () => {
    const port = await closedPort();
    const source = new PrometheusSource({ settings: settings({ url: `http://127.0.0.1:${port}` }) });
    await assert.rejects(ask(source), (e: unknown) => {
      assert.ok(
        failsWith('Unavailable', /^Prometheus could not be reached for query cpu \(ECONNREFUSED\)$/)(e),
        String(e),
      );
      return !(e as Error).message.includes(String(port));
    });
  });

  it("sends the headers and the form over Node's fetch, and does not follow a redirect", async () => {
    const seen: { path?: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ path: req.url, headers: req.headers, body });
        if (seen.length === 1) res.writeHead(200, { 'content-type': 'application/json' }).end(one('12'));
        else res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`;
      const source = new PrometheusSource({ settings: settings({ url }) });
      assert.equal(await ask(source), 12);
      assert.equal(seen[0]!.path, '/prom/api/v1/query');
      assert.equal(seen[0]!.headers.authorization, TOKEN);
      assert.equal(seen[0]!.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(new URLSearchParams(seen[0]!.body).get('query'), 'avg(cpu{owner="alice", group="web"})');
      await assert.rejects(
        ask(source, 'db'),
        failsWith('Unavailable', /could not be reached for query cpu \(it answered with a redirect/),
      );
      assert.equal(seen.length, 2, 'the redirect was not followed');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses an answer larger than 4 MiB', async () => {
    const { fetch } = fakeFetch(() => new Response('x'.repeat(4 * 1024 * 1024 + 1)));
    const source = new PrometheusSource({ settings: settings(), fetch });
    await assert.rejects(ask(source), failsWith('BadResult', /larger than/));
  });

  it('keeps at most maxConcurrency queries in flight; a caller may give up while waiting', async () => {
    const answers: ((r: Response) => void)[] = [];
    const { fetch, calls } = fakeFetch(() => new Promise<Response>((resolve) => answers.push(resolve)));
    const source = new PrometheusSource({ settings: settings({ maxConcurrency: 2 }), fetch });
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const waiting = new AbortController();
    const results = ['a', 'b', 'c', 'd'].map((group) => ask(source, group));
    const givenUp = ask(source, 'e', waiting.signal);
    await settle();
    assert.equal(calls.length, 2);
    waiting.abort(new Error('gave up'));
    await assert.rejects(givenUp, /gave up/);
    answers[0]!(new Response(one('1')));
    await settle();
    assert.equal(calls.length, 3);
    answers[1]!(new Response(one('2')));
    answers[2]!(new Response(one('3')));
    await settle();
    answers[3]!(new Response(one('4')));
    assert.deepEqual(await Promise.all(results), [1, 2, 3, 4]);
    assert.equal(calls.length, 4, 'the query given up was never sent');
  });

  it('backs off a failing query (growing, bounded pauses) without calling Prometheus, and forgets after a success', async () => {
    const { fetch, calls } = fakeFetch((n) =>
      n === 4 ? new Response(one('7')) : new Response('bad gateway', { status: 502 }),
    );
    const backoff = { initialMs: 1000, maxMs: 3000, maxKeys: 10 };
    const source = new PrometheusSource({ settings: settings(), fetch, backoff });
    const step = async (ms: number, expect: MetricSourceErrorCode | number, group = 'web') => {
      clock.advance(ms);
      if (typeof expect === 'number') assert.equal(await ask(source, group), expect);
      else await assert.rejects(ask(source, group), failsWith(expect, /./));
    };
    await step(0, 'Unavailable'); // call 0 fails: pause 1 s
    await step(500, 'BackingOff');
    await step(500, 'Unavailable'); // call 1 fails: pause 2 s
    await step(1999, 'BackingOff');
    await assert.rejects(
      ask(source),
      failsWith('BackingOff', /HTTP 502 to query cpu \(2 failures in a row; query cpu is not retried before 2026-/),
    );
    assert.equal(calls.length, 2, 'no call while backing off');
    await step(0, 'Unavailable', 'db'); // another group's query is not held back: call 2
    await step(1, 'Unavailable'); // call 3 fails: pause 4 s, bounded to 3 s
    await step(2999, 'BackingOff');
    await step(1, 7); // call 4 succeeds
    await step(0, 'Unavailable'); // call 5 fails: the pause starts again at 1 s
    await step(1000, 'Unavailable'); // call 6
    assert.equal(calls.length, 7);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
