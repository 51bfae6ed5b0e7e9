import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSourceError, type MetricSourceErrorCode } from '../../contracts/metric-source.ts';
import { readInstantResult } from './result.ts';

const vector = (...values: string[]) => ({
  status: 'success',
  data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1764072000, v] })) },
});
const fails = (code: MetricSourceErrorCode, pattern: RegExp) => (e: unknown) =>
  e instanceof MetricSourceError && e.code === code && pattern.test(e.message);

describe('readInstantResult (KEDA semantics)', () => {
  it('reads the one sample of a one-series vector', () => {
    assert.equal(readInstantResult(200, vector('42.5'), true, 'query cpu'), 42.5);
    assert.equal(readInstantResult(200, vector('-3e-2'), false, 'query cpu'), -0.03);
    assert.equal(readInstantResult(200, vector('0'), false, 'query cpu'), 0);
  });

  it('reads an empty vector as 0 when ignoreNullValues, else refuses it', () => {
    assert.equal(readInstantResult(200, vector(), true, 'query cpu'), 0);
    assert.throws(
      () => readInstantResult(200, vector(), false, 'query cpu'),
      fails('BadResult', /query cpu returned no series \(the target may be lost\)/),
    );
  });

  it('refuses several series, NaN, ±Inf and an empty sample', () => {
    assert.throws(
      () => readInstantResult(200, vector('1', '2'), true, 'q'),
      fails('BadResult', /returned 2 series; exactly one is expected/),
    );
    for (const v of ['NaN', '+Inf', '-Inf', ''])
      assert.throws(() => readInstantResult(200, vector(v), true, 'q'), fails('BadResult', /not a finite number/), v);
  });

  it('refuses other result types', () => {
    for (const resultType of ['scalar', 'matrix', 'string'])
      assert.throws(
        () => readInstantResult(200, { status: 'success', data: { resultType, result: [] } }, true, 'q'),
        fails('BadResult', new RegExp(`returned a ${resultType}, not an instant vector`)),
      );
  });

  it("reports Prometheus's own errors: bad queries as QueryFailed, overload as Unavailable", () => {
    const error = (errorType: string, error: string) => ({ status: 'error', errorType, error });
    assert.throws(
      () => readInstantResult(400, error('bad_data', '1:5: parse error: unexpected "}"'), true, 'query cpu'),
      fails('QueryFailed', /^Prometheus refused query cpu: bad_data: 1:5: parse error/),
    );
    assert.throws(
      () => readInstantResult(422, error('execution', 'many-to-many'), true, 'q'),
      fails('QueryFailed', /execution/),
    );
    assert.throws(
      () => readInstantResult(503, error('timeout', 'query timed out'), true, 'q'),
      fails('Unavailable', /timeout/),
    );
    assert.throws(
      () => readInstantResult(400, error('bad_data', 'x'.repeat(5000)), true, 'q'),
      (e: unknown) => (e as Error).message.length < 400,
    );
  });

  it('reports answers that are not Prometheus results', () => {
    assert.throws(() => readInstantResult(502, undefined, true, 'q'), fails('Unavailable', /HTTP 502/));
    assert.throws(() => readInstantResult(401, undefined, true, 'q'), fails('QueryFailed', /HTTP 401/));
    for (const body of [
      undefined,
      {},
      { status: 'success' },
      { status: 'success', data: { resultType: 'vector' } },
      [1],
    ])
      assert.throws(() => readInstantResult(200, body, true, 'q'), fails('Unavailable', /not a query result/));
    const noValue = { status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } };
    assert.throws(() => readInstantResult(200, noValue, true, 'q'), fails('Unavailable', /no sample value/));
  });
});
