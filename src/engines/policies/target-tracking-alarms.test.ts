import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import type { TargetTrackingConfiguration, TrackedMetric } from '../../domain/scaling-policy.ts';
import { HIGH_DATAPOINTS, LOW_DATAPOINTS, targetTrackingAlarms } from './target-tracking-alarms.ts';

const ARN =
  'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:11111111-2222-3333-4444-555555555555:autoScalingGroupName/web:policyName/cpu50';
const ids = { high: 'aaaa-1', low: 'bbbb-2' };
const config = (over: Partial<TargetTrackingConfiguration> = {}): TargetTrackingConfiguration => ({
  targetValue: 60,
  disableScaleIn: false,
  metric: { kind: 'predefined', predefinedMetricType: 'ASGAverageCPUUtilization' },
  ...over,
});
const alarms = (over: Partial<TargetTrackingConfiguration> = {}) =>
  targetTrackingAlarms({ groupName: 'web', policyArn: ARN, config: config(over), ids });

describe('target tracking: the owned alarms', () => {
  it('AlarmHigh: CPU above the target for 3 of 3 30-second periods; AlarmLow: below 0.7 × target for 15 of 15', () => {
    const [high, low] = alarms();
    assert.deepEqual(high, {
      name: 'TargetTracking-web-AlarmHigh-aaaa-1',
      description: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${ARN}.`,
      metric: {
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        dimensions: [{ name: 'AutoScalingGroupName', value: 'web' }],
        statistic: 'Average',
      },
      period: 30,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 60,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'missing',
      actionsEnabled: true,
      alarmActions: [ARN],
      okActions: [],
      insufficientDataActions: [],
    });
    assert.equal(low!.name, 'TargetTracking-web-AlarmLow-bbbb-2');
    assert.equal(low!.threshold, 42);
    assert.equal(low!.comparisonOperator, 'LessThanThreshold');
    assert.deepEqual([low!.evaluationPeriods, low!.datapointsToAlarm], [LOW_DATAPOINTS, LOW_DATAPOINTS]);
    assert.equal(HIGH_DATAPOINTS, 3);
  });
  const thresholds: [number, number][] = [
    [60, 42],
    [40, 28],
    [50, 35],
    [0.1, 0.07],
    [1e-9, 7e-10],
  ];
  for (const [target, low] of thresholds) {
    it(`AlarmLow's threshold for target ${target} is ${low} (no float noise)`, () => {
      assert.equal(alarms({ targetValue: target })[1]!.threshold, low);
    });
  }
  it('DisableScaleIn: only AlarmHigh', () => {
    const result = alarms({ disableScaleIn: true });
    assert.deepEqual(
      result.map((a) => a.name),
      ['TargetTracking-web-AlarmHigh-aaaa-1'],
    );
  });
  it('network metrics map to AWS/EC2 NetworkIn / NetworkOut', () => {
    for (const [type, name] of [
      ['ASGAverageNetworkIn', 'NetworkIn'],
      ['ASGAverageNetworkOut', 'NetworkOut'],
    ] as const) {
      const metric: TrackedMetric = { kind: 'predefined', predefinedMetricType: type };
      assert.equal(alarms({ metric })[0]!.metric.metricName, name);
    }
  });
  it('a customized metric is watched as given, at its Period, dimensions sorted', () => {
    const metric: TrackedMetric = {
      kind: 'customized',
      namespace: 'App',
      metricName: 'BacklogPerInstance',
      dimensions: [
        { name: 'Queue', value: 'jobs' },
        { name: 'Env', value: 'prod' },
      ],
      statistic: 'Maximum',
      unit: 'Count',
      period: 10,
    };
    const [high, low] = alarms({ metric, targetValue: 100 });
    assert.equal(high!.period, 10);
    assert.equal(low!.period, 10);
    assert.deepEqual(high!.metric, {
      namespace: 'App',
      metricName: 'BacklogPerInstance',
      dimensions: [
        { name: 'Env', value: 'prod' },
        { name: 'Queue', value: 'jobs' },
      ],
      statistic: 'Maximum',
      unit: 'Count',
    });
  });
  it('a Metrics list uses its one returned MetricStat query', () => {
    const metric: TrackedMetric = {
      kind: 'metrics',
      queries: [
        { id: 'm1', namespace: 'App', metricName: 'Other', dimensions: [], stat: 'Sum', returnData: false },
        { id: 'm2', namespace: 'App', metricName: 'Depth', dimensions: [], stat: 'Average', period: 30 },
      ],
    };
    const [high] = alarms({ metric });
    assert.equal(high!.metric.metricName, 'Depth');
    assert.equal(high!.period, 30);
  });
  const refusals: [string, Partial<TargetTrackingConfiguration>, RegExp][] = [
    ['target 0', { targetValue: 0 }, /TargetValue/],
    ['NaN target', { targetValue: NaN }, /TargetValue/],
    ['Infinity target', { targetValue: Infinity }, /TargetValue/],
    [
      'two returned queries',
      {
        metric: {
          kind: 'metrics',
          queries: [
            { id: 'a', namespace: 'N', metricName: 'A', dimensions: [], stat: 'Average' },
            { id: 'b', namespace: 'N', metricName: 'B', dimensions: [], stat: 'Average' },
          ],
        },
      },
      /exactly one query/,
    ],
    [
      'a percentile stat',
      {
        metric: {
          kind: 'metrics',
          queries: [{ id: 'a', namespace: 'N', metricName: 'A', dimensions: [], stat: 'p90' }],
        },
      },
      /Stat p90 is not supported/,
    ],
  ];
  for (const [name, over, pattern] of refusals) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => alarms(over),
        (e) => e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message),
      ));
  }
});
