/**
 * The CloudWatch endpoint refusing hostile input in both protocols: every PutMetricData limit
 * (storing nothing when any datum is refused), mistyped and malformed JSON, wrong targets and
 * unknown actions, huge and compressed bodies, read limits, and the per-user series cap.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { cloudWatchFixture, jsonError, ok, T, xmlError, type Json } from '../support/cloudwatch.ts';
import { sendRaw, signJson, signedJsonHeaders } from '../support/sign-json.ts';

describe('CloudWatch API refusals', () => {
  const cw = cloudWatchFixture();
  const { json, query, put } = cw;

  describe('PutMetricData limits and hostile input', () => {
    const base = { MetricName: 'X', Value: 1 };
    const refusals: [what: string, body: Json, code: string][] = [
      ['a namespace starting with AWS/', { Namespace: 'AWS/EC2', MetricData: [base] }, 'InvalidParameterValue'],
      ['a namespace starting with :', { Namespace: ':x', MetricData: [base] }, 'InvalidParameterValue'],
      ['no namespace', { MetricData: [base] }, 'MissingParameter'],
      ['no MetricData', { Namespace: 'N' }, 'MissingParameter'],
      [
        '1001 MetricData',
        { Namespace: 'N', MetricData: Array.from({ length: 1001 }, () => base) },
        'InvalidParameterValue',
      ],
      [
        '31 dimensions',
        {
          Namespace: 'N',
          MetricData: [{ ...base, Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })) }],
        },
        'InvalidParameterValue',
      ],
      [
        'a repeated dimension',
        {
          Namespace: 'N',
          MetricData: [
            {
              ...base,
              Dimensions: [
                { Name: 'a', Value: '1' },
                { Name: 'a', Value: '2' },
              ],
            },
          ],
        },
        'InvalidParameterValue',
      ],
      [
        'a dimension without value',
        { Namespace: 'N', MetricData: [{ ...base, Dimensions: [{ Name: 'a' }] }] },
        'MissingParameter',
      ],
      [
        'a 1025-character dimension value',
        { Namespace: 'N', MetricData: [{ ...base, Dimensions: [{ Name: 'a', Value: 'v'.repeat(1025) }] }] },
        'InvalidParameterValue',
      ],
      [
        'a 256-character metric name',
        { Namespace: 'N', MetricData: [{ ...base, MetricName: 'm'.repeat(256) }] },
        'InvalidParameterValue',
      ],
      ['NaN', { Namespace: 'N', MetricData: [{ MetricName: 'X', Value: 'NaN' }] }, 'InvalidParameterValue'],
      ['Infinity', { Namespace: 'N', MetricData: [{ MetricName: 'X', Value: '-Infinity' }] }, 'InvalidParameterValue'],
      [
        'a value past 2^360',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', Value: 2 ** 361 }] },
        'InvalidParameterValue',
      ],
      [
        'a value given as a string',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', Value: '12' }] },
        'InvalidParameterValue',
      ],
      ['MetricData as an object', { Namespace: 'N', MetricData: { MetricName: 'X' } }, 'InvalidParameterValue'],
      ['a namespace as a number', { Namespace: 7, MetricData: [base] }, 'InvalidParameterValue'],
      [
        'Value and StatisticValues',
        {
          Namespace: 'N',
          MetricData: [{ ...base, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }],
        },
        'InvalidParameterCombination',
      ],
      ['no value at all', { Namespace: 'N', MetricData: [{ MetricName: 'X' }] }, 'MissingParameter'],
      [
        'an incomplete statistic set',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', StatisticValues: { SampleCount: 1, Sum: 1 } }] },
        'MissingParameter',
      ],
      [
        'a statistic set with minimum above maximum',
        {
          Namespace: 'N',
          MetricData: [{ MetricName: 'X', StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 2, Maximum: 1 } }],
        },
        'InvalidParameterValue',
      ],
      [
        '151 values',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', Values: Array.from({ length: 151 }, (_, i) => i) }] },
        'InvalidParameterValue',
      ],
      [
        'counts of another length',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', Values: [1, 2], Counts: [1] }] },
        'InvalidParameterValue',
      ],
      [
        'a negative count',
        { Namespace: 'N', MetricData: [{ MetricName: 'X', Values: [1], Counts: [-1] }] },
        'InvalidParameterValue',
      ],
      [
        'StorageResolution 5',
        { Namespace: 'N', MetricData: [{ ...base, StorageResolution: 5 }] },
        'InvalidParameterValue',
      ],
      ['an unknown unit', { Namespace: 'N', MetricData: [{ ...base, Unit: 'Furlongs' }] }, 'InvalidParameterValue'],
      [
        'a timestamp 15 days old',
        { Namespace: 'N', MetricData: [{ ...base, Timestamp: T - 15 * 86400 }] },
        'InvalidParameterValue',
      ],
      [
        'a timestamp 3 hours ahead',
        { Namespace: 'N', MetricData: [{ ...base, Timestamp: T + 3 * 3600 }] },
        'InvalidParameterValue',
      ],
      [
        'a timestamp that is no date',
        { Namespace: 'N', MetricData: [{ ...base, Timestamp: 'yesterday' }] },
        'InvalidParameterValue',
      ],
    ];
    for (const [what, body, code] of refusals) {
      it(`refuses ${what} with ${code}, storing nothing`, async () => {
        const mixed = {
          ...body,
          MetricData: Array.isArray(body.MetricData)
            ? [{ MetricName: 'Canary', Value: 1 }, ...(body.MetricData as Json[])]
            : body.MetricData,
        };
        jsonError(await json(cw.alice, 'PutMetricData', mixed), 400, code);
        const canary = ok(await json(cw.alice, 'ListMetrics', { MetricName: 'Canary' }));
        assert.deepEqual(canary.Metrics, []);
      });
    }

    it('accepts the limits themselves: 1000 data, 30 dimensions, 150 values, 2^360, 2 weeks old, 2 hours ahead', async () => {
      const dims = Array.from({ length: 30 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));
      const r = await put(cw.alice, 'Limits', [
        ...Array.from({ length: 996 }, () => ({ MetricName: 'Edge', Value: 1, Dimensions: dims })),
        { MetricName: 'Edge', Values: Array.from({ length: 150 }, (_, i) => i) },
        { MetricName: 'Edge', Value: 2 ** 360, Timestamp: T - 14 * 86400 },
        { MetricName: 'Edge', Value: -(2 ** 360), Timestamp: T + 2 * 3600 },
        { MetricName: 'Hi', Value: 3, StorageResolution: 1, Timestamp: T - 15 },
      ]);
      assert.equal(r.status, 200, r.body);
      const fine = ok(
        await json(cw.alice, 'GetMetricStatistics', {
          Namespace: 'Limits',
          MetricName: 'Hi',
          StartTime: T - 60,
          EndTime: T,
          Period: 10,
          Statistics: ['Sum'],
        }),
      );
      assert.deepEqual(fine.Datapoints, [{ Timestamp: T - 20, Sum: 3, Unit: 'None' }]);
    });

    it('refuses a body over 1 MB with 413 and reads nothing', async () => {
      const big = JSON.stringify({ Namespace: 'N', MetricData: [{ MetricName: 'x'.repeat(1024 * 1024), Value: 1 }] });
      const r = await json(cw.alice, 'PutMetricData', big);
      assert.equal(r.status, 413);
    });

    it('refuses malformed JSON, a non-object body, a wrong target prefix and an unknown action', async () => {
      jsonError(await json(cw.alice, 'PutMetricData', '{"Namespace": "N", '), 400, 'InvalidParameterValue');
      jsonError(await json(cw.alice, 'PutMetricData', '[1,2]'), 400, 'InvalidParameterValue');
      const wrongPrefix = await sendRaw(
        cw.server.url,
        await signJson(cw.server.url, cw.alice, 'AnyScale_20110101.PutMetricData', '{}', {
          queryMode: true,
          date: cw.clock.now(),
        }),
      );
      jsonError(wrongPrefix, 400, 'UnknownOperationException');
      jsonError(await json(cw.alice, 'NoSuchThing', {}), 400, 'UnknownOperationException');
      const alarm = jsonError(await json(cw.alice, 'PutDashboard', {}), 400, 'UnknownOperationException');
      assert.match(alarm.message, /does not implement/);
      xmlError(await query(cw.alice, { Action: 'NoSuchThing' }), 400, 'InvalidAction');
    });

    it('names the error shape in __type, and sends x-amzn-query-error only in query mode', async () => {
      const withMode = await json(cw.alice, 'PutMetricData', { Namespace: 'AWS/X', MetricData: [base] });
      const body = jsonError(withMode, 400, 'InvalidParameterValue');
      assert.equal(body.__type, 'com.amazonaws.cloudwatch#InvalidParameterValueException');
      assert.equal(withMode.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
      const without = await json(cw.alice, 'PutMetricData', { Namespace: 'AWS/X', MetricData: [base] }, false);
      assert.equal(without.status, 400);
      assert.equal(without.headers.get('x-amzn-query-error'), null);
    });

    it('refuses Query input errors the same way, in XML', async () => {
      const p = (extra: Record<string, string>) =>
        query(cw.alice, { Action: 'PutMetricData', Namespace: 'Q', 'MetricData.member.1.MetricName': 'm', ...extra });
      xmlError(await p({ 'MetricData.member.1.Value': 'NaN' }), 400, 'InvalidParameterValue');
      xmlError(await p({ 'MetricData.member.1.Value': 'abc' }), 400, 'InvalidParameterValue');
      xmlError(
        await p({ 'MetricData.member.1.Value': '1', 'MetricData.member.1.Timestamp': 'not-a-date' }),
        400,
        'InvalidParameterValue',
      );
      xmlError(await p({ 'MetricData.member.0.Value': '1' }), 400, 'InvalidParameterValue');
      xmlError(
        await query(cw.alice, {
          Action: 'PutMetricData',
          Namespace: 'AWS/EC2',
          'MetricData.member.1.MetricName': 'm',
          'MetricData.member.1.Value': '1',
        }),
        400,
        'InvalidParameterValue',
      );
    });
  });

  describe('read limits', () => {
    const stats = (extra: Json) =>
      json(cw.alice, 'GetMetricStatistics', {
        Namespace: 'N',
        MetricName: 'M',
        StartTime: T - 600,
        EndTime: T,
        Period: 60,
        Statistics: ['Sum'],
        ...extra,
      });
    it('refuses bad periods, ranges, statistics and too many datapoints', async () => {
      jsonError(await stats({ Period: 45 }), 400, 'InvalidParameterValue');
      jsonError(await stats({ Period: 0 }), 400, 'InvalidParameterValue');
      jsonError(await stats({ StartTime: T, EndTime: T - 60 }), 400, 'InvalidParameterValue');
      jsonError(await stats({ Statistics: ['Median'] }), 400, 'InvalidParameterValue');
      jsonError(await stats({ Statistics: [] }), 400, 'InvalidParameterCombination');
      jsonError(await stats({ ExtendedStatistics: ['p99'] }), 400, 'InvalidParameterValue');
      jsonError(await stats({ StartTime: T - 86400 * 2, Period: 60 }), 400, 'InvalidParameterCombination');
      jsonError(await stats({ Period: '60' }), 400, 'InvalidParameterValue');
    });
    it('refuses metric math, bad ids and repeated ids in GetMetricData', async () => {
      const q = (queries: Json[]) =>
        json(cw.alice, 'GetMetricData', { MetricDataQueries: queries, StartTime: T - 600, EndTime: T });
      const stat = { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' };
      const math = jsonError(await q([{ Id: 'e1', Expression: 'SUM(METRICS())' }]), 400, 'InvalidParameterValue');
      assert.match(math.message, /metric math/);
      jsonError(await q([{ Id: 'Bad', MetricStat: stat }]), 400, 'InvalidParameterValue');
      jsonError(
        await q([
          { Id: 'a', MetricStat: stat },
          { Id: 'a', MetricStat: stat },
        ]),
        400,
        'InvalidParameterValue',
      );
      jsonError(await q([{ Id: 'a', MetricStat: { ...stat, Stat: 'p90' } }]), 400, 'InvalidParameterValue');
      jsonError(await q([]), 400, 'MissingParameter');
      const wide = Array.from({ length: 30 }, (_, i) => ({ Id: `w${i}`, MetricStat: { ...stat, Period: 60 } }));
      const tooWide = await json(cw.alice, 'GetMetricData', {
        MetricDataQueries: wide,
        StartTime: T - 14 * 86400,
        EndTime: T,
      });
      jsonError(tooWide, 400, 'InvalidParameterCombination');
    });
  });

  it('inflates a gzip body (botocore and the JS SDK compress PutMetricData), refusing broken streams, bombs and other encodings', async () => {
    const sendEncoded = async (bytes: Buffer, encoding: string) => {
      const headers = await signedJsonHeaders(
        cw.server.url,
        cw.alice,
        'GraniteServiceVersion20100801.PutMetricData',
        bytes,
        {
          queryMode: true,
          date: cw.clock.now(),
          headers: { 'content-encoding': encoding },
        },
      );
      delete headers.host;
      const response = await fetch(cw.server.url, { method: 'POST', headers, body: bytes });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    const body = JSON.stringify({ Namespace: 'Zip', MetricData: [{ MetricName: 'Packed', Value: 2 }] });
    assert.equal((await sendEncoded(gzipSync(body), 'gzip')).status, 200);
    assert.equal((ok(await json(cw.alice, 'ListMetrics', { Namespace: 'Zip' })).Metrics as Json[]).length, 1);
    jsonError(await sendEncoded(Buffer.from('not gzip'), 'gzip'), 400, 'InvalidParameterValue');
    const bomb = await sendEncoded(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), 'gzip');
    assert.equal(bomb.status, 413, bomb.body);
    jsonError(await sendEncoded(gzipSync(body), 'br'), 400, 'InvalidParameterValue');
  });
});

describe('CloudWatch series cap (PHANTOM_MAX_METRIC_SERIES)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { PHANTOM_MAX_METRIC_SERIES: '3' } });
  });
  after(() => server.close());

  it('refuses, all or nothing, a put that would pass the cap, and counts each user apart', async () => {
    const [alice, bob] = await Promise.all([server.addUser('alice'), server.addUser('bob')]);
    const put = async (creds: TestCredentials, names: string[]) =>
      sendRaw(
        server.url,
        await signJson(
          server.url,
          creds,
          'GraniteServiceVersion20100801.PutMetricData',
          JSON.stringify({ Namespace: 'Cap', MetricData: names.map((MetricName) => ({ MetricName, Value: 1 })) }),
          { queryMode: true },
        ),
      );
    assert.equal((await put(alice, ['a', 'b', 'a'])).status, 200);
    const refused = await put(alice, ['a', 'c', 'd']);
    assert.equal(refused.status, 400, refused.body);
    assert.equal(refused.headers.get('x-amzn-query-error'), 'LimitExceeded;Sender');
    assert.match(refused.body, /LimitExceededFault/);
    assert.equal((await put(alice, ['c', 'a'])).status, 200);
    assert.equal((await put(bob, ['a', 'b', 'c'])).status, 200);
    const listed = await sendRaw(
      server.url,
      await signJson(server.url, alice, 'GraniteServiceVersion20100801.ListMetrics', '{}'),
    );
    assert.deepEqual(
      (JSON.parse(listed.body) as { Metrics: { MetricName: string }[] }).Metrics.map((m) => m.MetricName),
      ['a', 'b', 'c'],
    );
  });
});
