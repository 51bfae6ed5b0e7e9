/**
 * The CloudWatch endpoint through signed requests in both protocols (AWS JSON 1.0 with
 * X-Amz-Target, and Query with XML answers): PutMetricData → GetMetricStatistics /
 * GetMetricData / ListMetrics, paging, authentication, and isolation between users. Hostile
 * input and limits: cloudwatch-bad-input.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudWatchFixture, jsonError, NOW, ok, T, xmlError, type Json } from '../support/cloudwatch.ts';
import { formEncode, signV4 } from '../support/sign.ts';
import { sendRaw } from '../support/sign-json.ts';

describe('CloudWatch API', () => {
  const cw = cloudWatchFixture();
  const { json, query, put } = cw;

  it('stores and answers through JSON: statistics, metric data and the metric list', async () => {
    const dims = [{ Name: 'Host', Value: 'web-1' }];
    const r = await put(cw.alice, 'App/Web', [
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
      await json(cw.alice, 'GetMetricStatistics', {
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
      await json(cw.alice, 'GetMetricData', {
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
    const list = ok(await json(cw.alice, 'ListMetrics', { Namespace: 'App/Web' }));
    assert.deepEqual(list.Metrics, [{ Namespace: 'App/Web', MetricName: 'Latency', Dimensions: dims }]);
  });

  it('stores and answers through Query, in CloudWatch XML', async () => {
    const putted = await query(cw.alice, {
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
    const stats = await query(cw.alice, {
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
      /<GetMetricStatisticsResult><Label>Jobs<\/Label><Datapoints><member><Timestamp>2026-11-25T11:58:00Z<\/Timestamp><Sum>5<\/Sum><Unit>Count<\/Unit><\/member><\/Datapoints><\/GetMetricStatisticsResult>/,
    );
    const list = await query(cw.alice, { Action: 'ListMetrics', 'Dimensions.member.1.Name': 'Queue' });
    assert.match(list.body, /<Name>Queue<\/Name><Value>a&amp;b&lt;c&gt;<\/Value>/);
    const data = await query(cw.alice, {
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
      /<MetricDataResults><member><Id>q1<\/Id><Label>Jobs<\/Label><Timestamps><member>2026-11-25T11:55:00Z<\/member><\/Timestamps><Values><member>1<\/member><\/Values><StatusCode>Complete<\/StatusCode>/,
    );
  });

  it('keeps each user to their own metrics in every read, in both protocols', async () => {
    await put(cw.alice, 'Secret/NS', [{ MetricName: 'Private', Value: 42, Timestamp: T - 60 }]);
    const listed = ok(await json(cw.bob, 'ListMetrics', {}));
    assert.deepEqual(listed.Metrics, []);
    const stats = ok(
      await json(cw.bob, 'GetMetricStatistics', {
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
      await json(cw.bob, 'GetMetricData', {
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
    const xml = await query(cw.bob, { Action: 'ListMetrics' });
    assert.doesNotMatch(xml.body, /Private|Secret/);
    // Bob writing the same name makes his own series; Alice's sum is unchanged.
    await put(cw.bob, 'Secret/NS', [{ MetricName: 'Private', Value: 1, Timestamp: T - 60 }]);
    const mine = ok(
      await json(cw.alice, 'GetMetricStatistics', {
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
    assert.equal((await put(cw.alice, 'Paged', data.slice(0, 300))).status, 200);
    assert.equal((await put(cw.alice, 'Paged', data.slice(300))).status, 200);
    const first = ok(await json(cw.alice, 'ListMetrics', { Namespace: 'Paged' }));
    assert.equal((first.Metrics as Json[]).length, 500);
    const second = ok(await json(cw.alice, 'ListMetrics', { Namespace: 'Paged', NextToken: first.NextToken }));
    assert.equal((second.Metrics as Json[]).length, 100);
    assert.equal(second.NextToken, undefined);
    jsonError(
      await json(cw.bob, 'ListMetrics', { Namespace: 'Paged', NextToken: first.NextToken }),
      400,
      'InvalidNextToken',
    );
    jsonError(
      await json(cw.alice, 'ListMetrics', { Namespace: 'Other', NextToken: first.NextToken }),
      400,
      'InvalidNextToken',
    );

    await put(
      cw.alice,
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
    const p1 = ok(await json(cw.alice, 'GetMetricData', request));
    const r1 = (p1.MetricDataResults as Json[])[0]!;
    assert.deepEqual([r1.Values, r1.StatusCode], [[4, 3, 2], 'PartialData']);
    const p2 = ok(await json(cw.alice, 'GetMetricData', { ...request, NextToken: p1.NextToken }));
    const r2 = (p2.MetricDataResults as Json[])[0]!;
    assert.deepEqual([r2.Values, r2.StatusCode, p2.NextToken], [[1, 0], 'Complete', undefined]);
    jsonError(
      await json(cw.alice, 'GetMetricData', { ...request, ScanBy: 'TimestampDescending', NextToken: p1.NextToken }),
      400,
      'InvalidNextToken',
    );
  });

  it('refuses unsigned and badly signed requests in both protocols', async () => {
    const unsigned = await fetch(cw.server.url, {
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
    const wrongSecret = { ...cw.alice, secretAccessKey: 'not-the-secret' };
    jsonError(await json(wrongSecret, 'ListMetrics', {}), 403, 'SignatureDoesNotMatch');
    xmlError(await query(wrongSecret, { Action: 'ListMetrics' }), 403, 'SignatureDoesNotMatch');
    const byVersionOnly = await fetch(cw.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formEncode({ Action: 'ListMetrics', Version: '2010-08-01' }),
    });
    assert.equal(byVersionOnly.status, 403);
    assert.match(await byVersionOnly.text(), /monitoring\.amazonaws\.com/);
  });

  it('leaves the Auto Scaling API where it was', async () => {
    const r = await sendRaw(
      cw.server.url,
      await signV4(cw.server.url, cw.alice, { Action: 'DescribeAutoScalingGroups' }, { date: cw.clock.now() }),
    );
    assert.equal(r.status, 200, r.body);
    assert.match(r.body, /autoscaling\.amazonaws\.com/);
  });
});
