/**
 * The CloudWatch endpoint through signed requests in both protocols (AWS JSON 1.0 with
 * X-Amz-Target, and Query with XML answers): PutMetricData → GetMetricStatistics /
 * GetMetricData / ListMetrics, every PutMetricData limit, malformed and mistyped input, and
 * isolation between users.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../../src/contracts/clock.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { formEncode, signV4 } from '../support/sign.ts';
import { sendRaw, signJson, signedJsonHeaders, type RawResponse } from '../support/sign-json.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const T = NOW.getTime() / 1000; // epoch seconds, as AWS JSON carries timestamps

type Json = Record<string, unknown>;

describe('CloudWatch API', () => {
  let server: TestServer;
  let alice: TestCredentials;
  let bob: TestCredentials;
  const clock = new FixedClock(NOW);

  before(async () => {
    server = await startTestServer({ clock });
    alice = await server.addUser('alice');
    bob = await server.addUser('bob');
  });
  after(() => server.close());

  /** A JSON call; the body is sent as given when it is a string. */
  const json = async (creds: TestCredentials, action: string, body: Json | string, queryMode = true) =>
    sendRaw(
      server.url,
      await signJson(
        server.url,
        creds,
        `GraniteServiceVersion20100801.${action}`,
        typeof body === 'string' ? body : JSON.stringify(body),
        { queryMode, date: clock.now() },
      ),
    );
  const query = async (creds: TestCredentials, params: Record<string, string>) =>
    sendRaw(
      server.url,
      await signV4(
        server.url,
        creds,
        { Version: '2010-08-01', ...params },
        { service: 'monitoring', date: clock.now() },
      ),
    );
  const ok = (r: RawResponse): Json => {
    assert.equal(r.status, 200, r.body);
    return JSON.parse(r.body) as Json;
  };
  /** A JSON error: its status, `__type` shape, query-compatible code and message. */
  const jsonError = (r: RawResponse, status: number, code: string) => {
    assert.equal(r.status, status, r.body);
    assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.0');
    const body = JSON.parse(r.body) as { __type: string; message: string };
    assert.equal(r.headers.get('x-amzn-query-error')?.split(';')[0], code, r.body);
    assert.ok(body.message.length > 0);
    return body;
  };
  const xmlError = (r: RawResponse, status: number, code: string) => {
    assert.equal(r.status, status, r.body);
    assert.match(r.body, new RegExp(`<Code>${code}</Code>`), r.body);
    assert.match(r.body, /xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"/);
  };
  const put = (creds: TestCredentials, namespace: string, data: Json[]) =>
    json(creds, 'PutMetricData', { Namespace: namespace, MetricData: data });

  it('stores and answers through JSON: statistics, metric data and the metric list', async () => {
    const dims = [{ Name: 'Host', Value: 'web-1' }];
    const r = await put(alice, 'App/Web', [
      { MetricName: 'Latency', Dimensions: dims, Timestamp: T - 300, Value: 10, Unit: 'Milliseconds' },
      {
        MetricName: 'Latency',
        Dimensions: dims,
        Timestamp: T - 290,
        Values: [20, 30],
        Counts: [1, 2],
        Unit: 'Milliseconds',
      },
      {
        MetricName: 'Latency',
        Dimensions: dims,
        Timestamp: T - 200,
        StatisticValues: { SampleCount: 4, Sum: 8, Minimum: 1, Maximum: 3 },
        Unit: 'Milliseconds',
      },
    ]);
    assert.equal(r.status, 200, r.body);
    const stats = ok(
      await json(alice, 'GetMetricStatistics', {
        Namespace: 'App/Web',
        MetricName: 'Latency',
        Dimensions: dims,
        StartTime: T - 600,
        EndTime: T,
        Period: 60,
        Statistics: ['Sum', 'SampleCount', 'Maximum', 'Average'],
      }),
    );
    assert.deepEqual(stats, {
      Label: 'Latency',
      Datapoints: [
        { Timestamp: T - 300, SampleCount: 4, Average: 22.5, Sum: 90, Maximum: 30, Unit: 'Milliseconds' },
        { Timestamp: T - 240, SampleCount: 4, Average: 2, Sum: 8, Maximum: 3, Unit: 'Milliseconds' },
      ],
    });
    const data = ok(
      await json(alice, 'GetMetricData', {
        MetricDataQueries: [
          {
            Id: 'm1',
            MetricStat: {
              Metric: { Namespace: 'App/Web', MetricName: 'Latency', Dimensions: dims },
              Period: 300,
              Stat: 'Maximum',
            },
          },
        ],
        StartTime: T - 600,
        EndTime: T,
      }),
    );
    assert.deepEqual(data.MetricDataResults, [
      { Id: 'm1', Label: 'Latency', Timestamps: [T - 300], Values: [30], StatusCode: 'Complete', Messages: [] },
    ]);
    const list = ok(await json(alice, 'ListMetrics', { Namespace: 'App/Web' }));
    assert.deepEqual(list.Metrics, [{ Namespace: 'App/Web', MetricName: 'Latency', Dimensions: dims }]);
  });

  it('stores and answers through Query, in CloudWatch XML', async () => {
    const putted = await query(alice, {
      Action: 'PutMetricData',
      Namespace: 'App/Query',
      'MetricData.member.1.MetricName': 'Jobs',
      'MetricData.member.1.Value': '5',
      'MetricData.member.1.Unit': 'Count',
      'MetricData.member.1.Timestamp': new Date(NOW.getTime() - 120_000).toISOString(),
      'MetricData.member.1.Dimensions.member.1.Name': 'Queue',
      'MetricData.member.1.Dimensions.member.1.Value': 'a&b<c>',
    });
    assert.equal(putted.status, 200, putted.body);
    assert.match(
      putted.body,
      /^<\?xml[^>]*>\n<PutMetricDataResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/">/,
    );
    const stats = await query(alice, {
      Action: 'GetMetricStatistics',
      Namespace: 'App/Query',
      MetricName: 'Jobs',
      'Dimensions.member.1.Name': 'Queue',
      'Dimensions.member.1.Value': 'a&b<c>',
      StartTime: new Date(NOW.getTime() - 600_000).toISOString(),
      EndTime: NOW.toISOString(),
      Period: '60',
      'Statistics.member.1': 'Sum',
    });
    assert.equal(stats.status, 200, stats.body);
    assert.match(
      stats.body,
      /<GetMetricStatisticsResult><Label>Jobs<\/Label><Datapoints><member><Timestamp>2026-11-25T11:58:00.000Z<\/Timestamp><Sum>5<\/Sum><Unit>Count<\/Unit><\/member><\/Datapoints><\/GetMetricStatisticsResult>/,
    );
    const list = await query(alice, { Action: 'ListMetrics', 'Dimensions.member.1.Name': 'Queue' });
    assert.match(list.body, /<Name>Queue<\/Name><Value>a&amp;b&lt;c&gt;<\/Value>/);
    const data = await query(alice, {
      Action: 'GetMetricData',
      'MetricDataQueries.member.1.Id': 'q1',
      'MetricDataQueries.member.1.MetricStat.Metric.Namespace': 'App/Query',
      'MetricDataQueries.member.1.MetricStat.Metric.MetricName': 'Jobs',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name': 'Queue',
      'MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value': 'a&b<c>',
      'MetricDataQueries.member.1.MetricStat.Period': '300',
      'MetricDataQueries.member.1.MetricStat.Stat': 'SampleCount',
      'MetricDataQueries.member.1.ReturnData': 'true',
      StartTime: new Date(NOW.getTime() - 600_000).toISOString(),
      EndTime: NOW.toISOString(),
    });
    assert.equal(data.status, 200, data.body);
    assert.match(
      data.body,
      /<MetricDataResults><member><Id>q1<\/Id><Label>Jobs<\/Label><Timestamps><member>2026-11-25T11:55:00.000Z<\/member><\/Timestamps><Values><member>1<\/member><\/Values><StatusCode>Complete<\/StatusCode>/,
    );
  });

  it('keeps each user to their own metrics in every read, in both protocols', async () => {
    await put(alice, 'Secret/NS', [{ MetricName: 'Private', Value: 42, Timestamp: T - 60 }]);
    const listed = ok(await json(bob, 'ListMetrics', {}));
    assert.deepEqual(listed.Metrics, []);
    const stats = ok(
      await json(bob, 'GetMetricStatistics', {
        Namespace: 'Secret/NS',
        MetricName: 'Private',
        StartTime: T - 600,
        EndTime: T,
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    assert.deepEqual(stats.Datapoints, []);
    const data = ok(
      await json(bob, 'GetMetricData', {
        MetricDataQueries: [
          {
            Id: 'x',
            MetricStat: { Metric: { Namespace: 'Secret/NS', MetricName: 'Private' }, Period: 60, Stat: 'Sum' },
          },
        ],
        StartTime: T - 600,
        EndTime: T,
      }),
    );
    assert.deepEqual((data.MetricDataResults as Json[])[0]!.Values, []);
    const xml = await query(bob, { Action: 'ListMetrics' });
    assert.doesNotMatch(xml.body, /Private|Secret/);
    // Bob writing the same name makes his own series; Alice's sum is unchanged.
    await put(bob, 'Secret/NS', [{ MetricName: 'Private', Value: 1, Timestamp: T - 60 }]);
    const mine = ok(
      await json(alice, 'GetMetricStatistics', {
        Namespace: 'Secret/NS',
        MetricName: 'Private',
        StartTime: T - 600,
        EndTime: T,
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    assert.deepEqual(
      (mine.Datapoints as Json[]).map((d) => d.Sum),
      [42],
    );
  });

  it('pages ListMetrics and GetMetricData, and refuses tokens of another request', async () => {
    const data = Array.from({ length: 600 }, (_, i) => ({
      MetricName: `M${String(i).padStart(3, '0')}`,
      Value: i,
      Timestamp: T - 60,
    }));
    assert.equal((await put(alice, 'Paged', data.slice(0, 300))).status, 200);
    assert.equal((await put(alice, 'Paged', data.slice(300))).status, 200);
    const first = ok(await json(alice, 'ListMetrics', { Namespace: 'Paged' }));
    assert.equal((first.Metrics as Json[]).length, 500);
    const second = ok(await json(alice, 'ListMetrics', { Namespace: 'Paged', NextToken: first.NextToken }));
    assert.equal((second.Metrics as Json[]).length, 100);
    assert.equal(second.NextToken, undefined);
    jsonError(
      await json(bob, 'ListMetrics', { Namespace: 'Paged', NextToken: first.NextToken }),
      400,
      'InvalidNextToken',
    );
    jsonError(
      await json(alice, 'ListMetrics', { Namespace: 'Other', NextToken: first.NextToken }),
      400,
      'InvalidNextToken',
    );

    await put(
      alice,
      'Paged',
      [0, 1, 2, 3, 4].map((i) => ({ MetricName: 'Many', Value: i, Timestamp: T - 60 * (i + 1) })),
    );
    const request = {
      MetricDataQueries: [
        { Id: 'a', MetricStat: { Metric: { Namespace: 'Paged', MetricName: 'Many' }, Period: 60, Stat: 'Sum' } },
      ],
      StartTime: T - 3600,
      EndTime: T,
      MaxDatapoints: 3,
      ScanBy: 'TimestampAscending',
    };
    const p1 = ok(await json(alice, 'GetMetricData', request));
    const r1 = (p1.MetricDataResults as Json[])[0]!;
    assert.deepEqual([r1.Values, r1.StatusCode], [[4, 3, 2], 'PartialData']);
    const p2 = ok(await json(alice, 'GetMetricData', { ...request, NextToken: p1.NextToken }));
    const r2 = (p2.MetricDataResults as Json[])[0]!;
    assert.deepEqual([r2.Values, r2.StatusCode, p2.NextToken], [[1, 0], 'Complete', undefined]);
    jsonError(
      await json(alice, 'GetMetricData', { ...request, ScanBy: 'TimestampDescending', NextToken: p1.NextToken }),
      400,
      'InvalidNextToken',
    );
  });

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
        jsonError(await json(alice, 'PutMetricData', mixed), 400, code);
        const canary = ok(await json(alice, 'ListMetrics', { MetricName: 'Canary' }));
        assert.deepEqual(canary.Metrics, []);
      });
    }

    it('accepts the limits themselves: 1000 data, 30 dimensions, 150 values, 2^360, 2 weeks old, 2 hours ahead', async () => {
      const dims = Array.from({ length: 30 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));
      const r = await put(alice, 'Limits', [
        ...Array.from({ length: 996 }, () => ({ MetricName: 'Edge', Value: 1, Dimensions: dims })),
        { MetricName: 'Edge', Values: Array.from({ length: 150 }, (_, i) => i) },
        { MetricName: 'Edge', Value: 2 ** 360, Timestamp: T - 14 * 86400 },
        { MetricName: 'Edge', Value: -(2 ** 360), Timestamp: T + 2 * 3600 },
        { MetricName: 'Hi', Value: 3, StorageResolution: 1, Timestamp: T - 15 },
      ]);
      assert.equal(r.status, 200, r.body);
      const fine = ok(
        await json(alice, 'GetMetricStatistics', {
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
      const r = await json(alice, 'PutMetricData', big);
      assert.equal(r.status, 413);
    });

    it('refuses malformed JSON, a non-object body, a wrong target prefix and an unknown action', async () => {
      jsonError(await json(alice, 'PutMetricData', '{"Namespace": "N", '), 400, 'InvalidParameterValue');
      jsonError(await json(alice, 'PutMetricData', '[1,2]'), 400, 'InvalidParameterValue');
      const wrongPrefix = await sendRaw(
        server.url,
        await signJson(server.url, alice, 'AnyScale_20110101.PutMetricData', '{}', {
          queryMode: true,
          date: clock.now(),
        }),
      );
      jsonError(wrongPrefix, 400, 'UnknownOperationException');
      jsonError(await json(alice, 'NoSuchThing', {}), 400, 'UnknownOperationException');
      const alarm = jsonError(await json(alice, 'PutMetricAlarm', {}), 400, 'UnknownOperationException');
      assert.match(alarm.message, /does not implement/);
      xmlError(await query(alice, { Action: 'NoSuchThing' }), 400, 'InvalidAction');
    });

    it('names the error shape in __type, and sends x-amzn-query-error only in query mode', async () => {
      const withMode = await json(alice, 'PutMetricData', { Namespace: 'AWS/X', MetricData: [base] });
      const body = jsonError(withMode, 400, 'InvalidParameterValue');
      assert.equal(body.__type, 'com.amazonaws.cloudwatch#InvalidParameterValueException');
      assert.equal(withMode.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
      const without = await json(alice, 'PutMetricData', { Namespace: 'AWS/X', MetricData: [base] }, false);
      assert.equal(without.status, 400);
      assert.equal(without.headers.get('x-amzn-query-error'), null);
    });

    it('refuses Query input errors the same way, in XML', async () => {
      const p = (extra: Record<string, string>) =>
        query(alice, { Action: 'PutMetricData', Namespace: 'Q', 'MetricData.member.1.MetricName': 'm', ...extra });
      xmlError(await p({ 'MetricData.member.1.Value': 'NaN' }), 400, 'InvalidParameterValue');
      xmlError(await p({ 'MetricData.member.1.Value': 'abc' }), 400, 'InvalidParameterValue');
      xmlError(
        await p({ 'MetricData.member.1.Value': '1', 'MetricData.member.1.Timestamp': 'not-a-date' }),
        400,
        'InvalidParameterValue',
      );
      xmlError(await p({ 'MetricData.member.0.Value': '1' }), 400, 'InvalidParameterValue');
      xmlError(
        await query(alice, {
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
      json(alice, 'GetMetricStatistics', {
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
        json(alice, 'GetMetricData', { MetricDataQueries: queries, StartTime: T - 600, EndTime: T });
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
      const tooWide = await json(alice, 'GetMetricData', {
        MetricDataQueries: wide,
        StartTime: T - 14 * 86400,
        EndTime: T,
      });
      jsonError(tooWide, 400, 'InvalidParameterCombination');
    });
  });

  it('inflates a gzip body (botocore and the JS SDK compress PutMetricData), refusing broken streams, bombs and other encodings', async () => {
    const sendEncoded = async (bytes: Buffer, encoding: string) => {
      const headers = await signedJsonHeaders(server.url, alice, 'GraniteServiceVersion20100801.PutMetricData', bytes, {
        queryMode: true,
        date: clock.now(),
        headers: { 'content-encoding': encoding },
      });
      delete headers.host;
      const response = await fetch(server.url, { method: 'POST', headers, body: bytes });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    const body = JSON.stringify({ Namespace: 'Zip', MetricData: [{ MetricName: 'Packed', Value: 2 }] });
    assert.equal((await sendEncoded(gzipSync(body), 'gzip')).status, 200);
    assert.equal((ok(await json(alice, 'ListMetrics', { Namespace: 'Zip' })).Metrics as Json[]).length, 1);
    jsonError(await sendEncoded(Buffer.from('not gzip'), 'gzip'), 400, 'InvalidParameterValue');
    const bomb = await sendEncoded(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), 'gzip');
    assert.equal(bomb.status, 413, bomb.body);
    jsonError(await sendEncoded(gzipSync(body), 'br'), 400, 'InvalidParameterValue');
  });

  it('refuses unsigned and badly signed requests in both protocols', async () => {
    const unsigned = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics',
        'x-amzn-query-mode': 'true',
      },
      body: '{}',
    });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.headers.get('x-amzn-query-error'), 'MissingAuthenticationToken;Sender');
    const wrongSecret = { ...alice, secretAccessKey: 'not-the-secret' };
    jsonError(await json(wrongSecret, 'ListMetrics', {}), 403, 'SignatureDoesNotMatch');
    xmlError(await query(wrongSecret, { Action: 'ListMetrics' }), 403, 'SignatureDoesNotMatch');
    const byVersionOnly = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formEncode({ Action: 'ListMetrics', Version: '2010-08-01' }),
    });
    assert.equal(byVersionOnly.status, 403);
    assert.match(await byVersionOnly.text(), /monitoring\.amazonaws\.com/);
  });

  it('leaves the Auto Scaling API where it was', async () => {
    const r = await sendRaw(
      server.url,
      await signV4(server.url, alice, { Action: 'DescribeAutoScalingGroups' }, { date: clock.now() }),
    );
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /autoscaling\.amazonaws\.com/);
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
