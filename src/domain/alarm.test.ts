import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAlarmPeriod, validateAlarm, type PutMetricAlarmInput } from './alarm.ts';

const POLICY = 'arn:phantom:autoscaling:phantom:u1:scalingPolicy:0f3c:autoScalingGroupName/web:policyName/out';
const base: PutMetricAlarmInput = {
  AlarmName: 'high-cpu',
  MetricName: 'CPUUtilization',
  Namespace: 'AWS/EC2',
  Statistic: 'Average',
  Dimensions: [
    { Name: 'b', Value: '2' },
    { Name: 'AutoScalingGroupName', Value: 'web' },
  ],
  Period: 60,
  EvaluationPeriods: 3,
  Threshold: 70,
  ComparisonOperator: 'GreaterThanThreshold',
  AlarmActions: [POLICY],
};

describe('validateAlarm', () => {
  it('fills AWS defaults and sorts dimensions', () => {
    const alarm = validateAlarm(base, 'u1');
    assert.equal(alarm.datapointsToAlarm, 3);
    assert.equal(alarm.treatMissingData, 'missing');
    assert.equal(alarm.actionsEnabled, true);
    assert.deepEqual(
      alarm.metric.dimensions.map((d) => d.name),
      ['AutoScalingGroupName', 'b'],
    );
    assert.deepEqual(alarm.alarmActions, [POLICY]);
    assert.deepEqual(alarm.okActions, []);
  });

  it('accepts the periods AWS accepts', () => {
    assert.deepEqual([10, 20, 30, 60, 120, 3600, 86400].map(isAlarmPeriod), [true, true, true, true, true, true, true]);
    assert.deepEqual([0, 1, 15, 45, 90, 61, 10.5, -60].map(isAlarmPeriod), Array(8).fill(false));
  });

  it('refuses each broken rule with a Validation error naming it', () => {
    const refusals: Array<[Partial<PutMetricAlarmInput> & Record<string, unknown>, RegExp]> = [
      [{ AlarmName: '' }, /AlarmName must be 1 to 255/],
      [{ AlarmName: 'x'.repeat(256) }, /AlarmName must be 1 to 255/],
      [{ Namespace: undefined }, /Namespace must be 1 to 255/],
      [{ MetricName: '' }, /MetricName must be 1 to 255/],
      [{ Statistic: undefined }, /Statistic is required/],
      [{ Statistic: 'p99' }, /Invalid value 'p99' for Statistic/],
      [{ ExtendedStatistic: 'p99', Statistic: undefined }, /ExtendedStatistic .* not supported/],
      [{ Metrics: [{}] }, /Metric math .* not supported/],
      [{ Period: 15 }, /Period must be 10, 20, 30 or a multiple of 60/],
      [{ Period: undefined }, /Period must be/],
      [{ EvaluationPeriods: 0 }, /EvaluationPeriods must be at least 1/],
      [{ Period: 60, EvaluationPeriods: 1441 }, /must not exceed 86400 s/],
      [{ Period: 3600, EvaluationPeriods: 169 }, /must not exceed 604800 s/],
      [{ DatapointsToAlarm: 4 }, /DatapointsToAlarm must be from 1 to EvaluationPeriods \(3\)/],
      [{ DatapointsToAlarm: 0 }, /DatapointsToAlarm must be from 1/],
      [{ Threshold: undefined }, /Threshold is required/],
      [{ Threshold: Number.NaN }, /Threshold is required and must be a finite number/],
      [{ Threshold: Number.POSITIVE_INFINITY }, /finite number/],
      [{ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }, /Invalid value .* for ComparisonOperator/],
      [{ TreatMissingData: 'zero' }, /Invalid value 'zero' for TreatMissingData/],
      [{ Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' })) }, /At most 30 Dimensions/],
      [{ Dimensions: [{ Name: 'a', Value: '' }] }, /Dimension Value must be 1 to 1024/],
      [
        {
          Dimensions: [
            { Name: 'a', Value: '1' },
            { Name: 'a', Value: '2' },
          ],
        },
        /Dimension a is given twice/,
      ],
      [{ AlarmActions: Array(6).fill(POLICY) }, /At most 5 AlarmActions/],
      [{ AlarmActions: ['arn:aws:sns:us-east-1:1:topic'] }, /may only hold scaling policy ARNs/],
      [{ OKActions: [POLICY.replace(':u1:', ':u2:')] }, /OKActions names a scaling policy of another account/],
      [{ AlarmDescription: 'x'.repeat(1025) }, /AlarmDescription must be at most 1024/],
    ];
    for (const [change, why] of refusals)
      assert.throws(
        () => validateAlarm({ ...base, ...change } as PutMetricAlarmInput, 'u1'),
        (e: Error & { code?: string }) => e.code === 'Validation' && why.test(e.message),
        JSON.stringify(change).slice(0, 100),
      );
  });
});
