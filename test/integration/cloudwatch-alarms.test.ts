/**
 * CloudWatch alarms through signed requests in both protocols: PutMetricAlarm, DescribeAlarms,
 * SetAlarmState, DescribeAlarmHistory and DeleteAlarms; hostile input with CloudWatch's error
 * codes; and isolation between users.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { cloudWatchFixture, jsonError, ok, xmlError, type Json } from '../support/cloudwatch.ts';

describe('CloudWatch alarms', () => {
  const cw = cloudWatchFixture();
  const { json, query } = cw;
  let policyArn: string;

  before(async () => {
    const alice = await cw.server.running.dataDir.store.getUserByName('alice');
    policyArn = `arn:phantom:autoscaling:phantom:${alice!.id}:scalingPolicy:5e1f:autoScalingGroupName/web:policyName/out`;
  });

  const alarm = (name: string, over: Json = {}): Json => ({
    AlarmName: name,
    Namespace: 'App/Web',
    MetricName: 'Backlog',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web' }],
    Statistic: 'Average',
    Period: 10,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
    Threshold: 100,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [policyArn],
    ...over,
  });
  const describeAs = async (creds = cw.alice, body: Json = {}) =>
    ok(await json(creds, 'DescribeAlarms', body)) as { MetricAlarms: Json[]; NextToken?: string };

  it('creates an alarm in INSUFFICIENT_DATA and shows it as CloudWatch does, in JSON and in XML', async () => {
    ok(await json(cw.alice, 'PutMetricAlarm', alarm('backlog-high')));
    const [shown] = (await describeAs(cw.alice, { AlarmNames: ['backlog-high'] })).MetricAlarms;
    assert.equal(shown?.StateValue, 'INSUFFICIENT_DATA');
    assert.equal(shown?.StateReason, 'Unchecked: Initial alarm creation');
    assert.deepEqual(shown?.AlarmActions, [policyArn]);
    assert.equal(shown?.Period, 10);
    assert.equal(shown?.DatapointsToAlarm, 2);
    assert.match(String(shown?.AlarmArn), /^arn:phantom:cloudwatch:phantom:[^:]+:alarm:backlog-high$/);
    const xml = await query(cw.alice, { Action: 'DescribeAlarms', 'AlarmNames.member.1': 'backlog-high' });
    assert.equal(xml.status, 200, xml.body);
    assert.match(
      xml.body,
      /<MetricAlarms><member>.*<AlarmName>backlog-high<\/AlarmName>.*<StateValue>INSUFFICIENT_DATA<\/StateValue>/s,
    );
  });

  it('SetAlarmState changes the state, keeps it across an update, and writes history newest first', async () => {
    ok(await json(cw.alice, 'PutMetricAlarm', alarm('manual')));
    cw.clock.advance(1000);
    ok(
      await json(cw.alice, 'SetAlarmState', {
        AlarmName: 'manual',
        StateValue: 'ALARM',
        StateReason: 'testing',
        StateReasonData: '{"v":1}',
      }),
    );
    cw.clock.advance(1000);
    ok(await json(cw.alice, 'PutMetricAlarm', alarm('manual', { Threshold: 5 })));
    const [shown] = (await describeAs(cw.alice, { AlarmNames: ['manual'] })).MetricAlarms;
    assert.equal(shown?.StateValue, 'ALARM');
    assert.equal(shown?.Threshold, 5);
    const history = ok(await json(cw.alice, 'DescribeAlarmHistory', { AlarmName: 'manual' })) as {
      AlarmHistoryItems: Json[];
    };
    assert.deepEqual(
      history.AlarmHistoryItems.map((h) => h.HistoryItemType),
      ['ConfigurationUpdate', 'StateUpdate', 'ConfigurationUpdate'],
    );
    const states = ok(await json(cw.alice, 'DescribeAlarms', { StateValue: 'ALARM' })) as { MetricAlarms: Json[] };
    assert.deepEqual(
      states.MetricAlarms.map((a) => a.AlarmName),
      ['manual'],
    );
  });

  it('pages DescribeAlarms; a token is valid only for its caller and request', async () => {
    for (const n of ['p1', 'p2', 'p3', 'p4', 'p5']) ok(await json(cw.alice, 'PutMetricAlarm', alarm(n)));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await describeAs(cw.alice, {
        AlarmNamePrefix: 'p',
        MaxRecords: 2,
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...page.MetricAlarms.map((a) => String(a.AlarmName)));
      token = page.NextToken;
      if (token)
        jsonError(
          await json(cw.bob, 'DescribeAlarms', { AlarmNamePrefix: 'p', MaxRecords: 2, NextToken: token }),
          400,
          'InvalidNextToken',
        );
    } while (token);
    assert.deepEqual(seen, ['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it("never lets one user see, change or delete another user's alarm", async () => {
    ok(await json(cw.alice, 'PutMetricAlarm', alarm('private')));
    assert.deepEqual((await describeAs(cw.bob, { AlarmNames: ['private'] })).MetricAlarms, []);
    assert.deepEqual((await describeAs(cw.bob)).MetricAlarms, []);
    jsonError(
      await json(cw.bob, 'SetAlarmState', { AlarmName: 'private', StateValue: 'OK', StateReason: 'x' }),
      404,
      'ResourceNotFound',
    );
    jsonError(await json(cw.bob, 'DeleteAlarms', { AlarmNames: ['private'] }), 404, 'ResourceNotFound');
    assert.deepEqual(ok(await json(cw.bob, 'DescribeAlarmHistory', { AlarmName: 'private' })).AlarmHistoryItems, []);
    jsonError(
      await json(cw.bob, 'PutMetricAlarm', alarm('bobs', { AlarmActions: [policyArn] })),
      400,
      'InvalidParameterValue',
    );
    const [mine] = (await describeAs(cw.alice, { AlarmNames: ['private'] })).MetricAlarms;
    assert.equal(mine?.StateValue, 'INSUFFICIENT_DATA');
    ok(await json(cw.alice, 'DeleteAlarms', { AlarmNames: ['private'] }));
    assert.deepEqual((await describeAs(cw.alice, { AlarmNames: ['private'] })).MetricAlarms, []);
  });

  it('refuses hostile input with CloudWatch error codes, storing nothing', async () => {
    const refusals: Array<[string, Json, number, string]> = [
      ['PutMetricAlarm', { ...alarm('x'), EvaluationPeriods: undefined }, 400, 'MissingParameter'],
      ['PutMetricAlarm', alarm('x', { Period: 15 }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { Threshold: 'high' }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { Threshold: 'NaN' }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { ComparisonOperator: 'LessThanLowerThreshold' }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { AlarmActions: ['arn:aws:sns:us-east-1:1:t'] }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { AlarmActions: Array(6).fill('a') }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { Metrics: [{ Id: 'm1' }] }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { ExtendedStatistic: 'p99', Statistic: undefined }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { DatapointsToAlarm: 4 }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { AlarmName: '' }), 400, 'InvalidParameterValue'],
      ['PutMetricAlarm', alarm('x', { Dimensions: 'web' }), 400, 'InvalidParameterValue'],
      [
        'SetAlarmState',
        { AlarmName: 'x', StateValue: 'ALARM', StateReason: 'r', StateReasonData: 'not json' },
        400,
        'InvalidFormat',
      ],
      ['SetAlarmState', { AlarmName: 'x', StateValue: 'BROKEN', StateReason: 'r' }, 400, 'InvalidParameterValue'],
      ['SetAlarmState', { AlarmName: 'x', StateValue: 'OK' }, 400, 'MissingParameter'],
      ['DescribeAlarms', { MaxRecords: 0 }, 400, 'InvalidParameterValue'],
      ['DescribeAlarms', { MaxRecords: 101 }, 400, 'InvalidParameterValue'],
      ['DescribeAlarms', { AlarmNames: ['a'], AlarmNamePrefix: 'a' }, 400, 'InvalidParameterCombination'],
      ['DescribeAlarms', { NextToken: 'forged' }, 400, 'InvalidNextToken'],
      ['DeleteAlarms', {}, 400, 'MissingParameter'],
      ['DescribeAlarmHistory', { HistoryItemType: 'Everything' }, 400, 'InvalidParameterValue'],
    ];
    for (const [action, body, status, code] of refusals) {
      const r = await json(cw.alice, action, body);
      assert.equal(r.status, status, `${action} ${JSON.stringify(body).slice(0, 80)}: ${r.body}`);
      jsonError(r, status, code);
    }
    xmlError(
      await query(cw.alice, { Action: 'PutMetricAlarm', AlarmName: 'q', EvaluationPeriods: '1' }),
      400,
      'MissingParameter',
    );
    assert.deepEqual((await describeAs(cw.alice, { AlarmNames: ['x', 'q'] })).MetricAlarms, []);
  });
});
