/**
 * Metric-driven scaling through the real JavaScript SDK clients (@aws-sdk/client-auto-scaling,
 * @aws-sdk/client-cloudwatch: AWS JSON 1.0), on an in-process server with the controller on a
 * zero-boot simulated site and a FixedClock moved by hand (kept within the 15-minute signing
 * window): a target tracking policy on a customized 10-second metric scales out when pushed
 * values exceed the target and back in after they fall; DescribePolicies and DescribeAlarms show
 * the policy ARN and its two alarms; a step policy linked by PutMetricAlarm scales by the step
 * SetAlarmState's reason data selects; DeletePolicy removes the owned alarms.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeletePolicyCommand,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { FixedClock } from '../../src/contracts/clock.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

describe('metric-driven scaling with the JavaScript SDK clients', () => {
  // Near the real time (the SDK signs with it), on a period boundary.
  const clock = new FixedClock(new Date(Math.floor(Date.now() / 10_000) * 10_000 + 1000));
  const dir = mkdtempSync(join(tmpdir(), 'phantom-tt-'));
  let server: TestServer;
  let asg: AutoScalingClient;
  let cw: CloudWatchClient;
  const dimensions = [{ Name: 'AutoScalingGroupName', Value: 'web' }];

  before(async () => {
    writeFileSync(join(dir, 'sites.yaml'), 'sites:\n  hotel:\n    driver: sim\n    bootMs: 0\n');
    server = await startTestServer({
      clock,
      env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '200', PHANTOM_CONFIG: join(dir, 'sites.yaml') },
    });
    const creds = await server.addUser('tess');
    asg = server.sdk(creds);
    cw = new CloudWatchClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
      maxAttempts: 1,
    });
    await asg.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'web',
        ImageId: 'img',
        InstanceType: 'm1.small',
      }),
    );
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'web',
        MinSize: 1,
        MaxSize: 6,
        DesiredCapacity: 1,
        AvailabilityZones: ['hotel'],
      }),
    );
  });
  after(async () => {
    cw.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const desired = async () =>
    (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0]!
      .DesiredCapacity!;
  /** Pushes `value` for the current 10-second period, then moves to the next, `n` times. */
  const periods = async (value: number, n: number) => {
    for (let i = 0; i < n; i++) {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: 'App',
          MetricData: [
            {
              MetricName: 'Backlog',
              Dimensions: dimensions,
              Value: value,
              Timestamp: clock.now(),
              StorageResolution: 1,
            },
          ],
        }),
      );
      clock.advance(10_000);
    }
  };
  const round = () => server.running.loops!.alarms.round();
  /** Waits until the controller has every desired instance InService (so none is warming up). */
  const settled = (n: number) =>
    eventually(`${n} instances in service`, async () => {
      const group = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] })))
        .AutoScalingGroups![0]!;
      const inService = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
      return inService === n && group.Instances!.length === n ? true : undefined;
    });
  let policyArn = '';

  it('target tracking on a 10-second metric: its two alarms, scale-out, then scale-in', async () => {
    const put = await asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'web',
        PolicyName: 'backlog50',
        PolicyType: 'TargetTrackingScaling',
        EstimatedInstanceWarmup: 10,
        TargetTrackingConfiguration: {
          TargetValue: 50,
          CustomizedMetricSpecification: {
            Namespace: 'App',
            MetricName: 'Backlog',
            Dimensions: dimensions,
            Statistic: 'Average',
            Period: 10,
          },
        },
      }),
    );
    policyArn = put.PolicyARN!;
    assert.match(policyArn, /:scalingPolicy:[0-9a-f-]+:autoScalingGroupName\/web:policyName\/backlog50$/);
    assert.deepEqual(
      put.Alarms!.map((a) => a.AlarmName!.replace(/-[0-9a-f-]{36}$/, '')),
      ['TargetTracking-web-AlarmHigh', 'TargetTracking-web-AlarmLow'],
    );
    const described = await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'web' }));
    assert.equal(described.ScalingPolicies![0]!.PolicyARN, policyArn);
    assert.deepEqual(described.ScalingPolicies![0]!.Alarms, put.Alarms);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-web-' }))).MetricAlarms!;
    assert.deepEqual(
      alarms.map((a) => [a.Threshold, a.ComparisonOperator, a.Period, a.EvaluationPeriods, a.AlarmActions]),
      [
        [50, 'GreaterThanThreshold', 10, 3, [policyArn]],
        [35, 'LessThanThreshold', 10, 15, [policyArn]],
      ],
    );
    await settled(1);
    await periods(150, 4);
    await round();
    assert.equal(await desired(), 3, 'ceil(1 × 150 / 50)');
    const activities = await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }));
    assert.ok(
      activities.Activities!.some((a) =>
        /a monitor alarm TargetTracking-web-AlarmHigh-\S+ in state ALARM triggered policy backlog50 changing the desired capacity from 1 to 3/.test(
          a.Cause ?? '',
        ),
      ),
      JSON.stringify(activities.Activities!.map((a) => a.Cause)),
    );
    await settled(3);
    await periods(10, 16);
    await round();
    assert.equal(await desired(), 1, 'back in: 3 × 10 / 50 rounds to 1');
  });

  it('a step policy linked by PutMetricAlarm scales by the step SetAlarmState selects', async () => {
    const step = await asg.send(
      new PutScalingPolicyCommand({
        AutoScalingGroupName: 'web',
        PolicyName: 'bump',
        PolicyType: 'StepScaling',
        AdjustmentType: 'ChangeInCapacity',
        // No warm-up: the group's instance launched just now would otherwise not count (AWS's step rule).
        EstimatedInstanceWarmup: 0,
        StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 },
        ],
      }),
    );
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'queue-deep',
        Namespace: 'App',
        MetricName: 'Queue',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 100,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [step.PolicyARN!],
      }),
    );
    const before = await desired();
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'queue-deep',
        StateValue: 'ALARM',
        StateReason: 'testing the step policy',
        StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [115] }),
      }),
    );
    await round();
    assert.equal(await desired(), before + 2, '115 is 15 above the threshold: the second step');
    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'queue-deep', HistoryItemType: 'Action' }),
    );
    assert.match(history.AlarmHistoryItems![0]!.HistorySummary!, /changed the desired capacity of web from \d+ to \d+/);
  });

  it('DeletePolicy deletes the alarms a target tracking policy owns', async () => {
    await asg.send(new DeletePolicyCommand({ PolicyName: policyArn }));
    assert.deepEqual(
      (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-web-' }))).MetricAlarms,
      [],
    );
  });
});
