/**
 * Scaling policies through Debian's boto3 (/usr/bin/python3) against the real `phantom server`
 * binary: put a simple and a step policy, describe them, execute both (the step by MetricValue and
 * BreachThreshold), read the new desired capacity and the activity's cause, a modelled error for a
 * metric value that matches no step, and delete by name and by ARN.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boto3Available, requireClient } from '../support/process.ts';
import { boto3Err, boto3Ok, boto3Program, serverWithClientHome, type Boto3Call } from './clients.ts';

const needBoto3 = requireClient('boto3 (/usr/bin/python3 + python3-boto3)', boto3Available());

interface Policy {
  PolicyName: string;
  PolicyARN: string;
  PolicyType: string;
  AdjustmentType: string;
  ScalingAdjustment?: number;
  StepAdjustments: Array<{
    MetricIntervalLowerBound?: number;
    MetricIntervalUpperBound?: number;
    ScalingAdjustment: number;
  }>;
  Enabled: boolean;
}

type Out = Record<string, Boto3Call<Record<string, unknown>>>;

const PROGRAM = `
out['lc'] = call('create_launch_configuration', LaunchConfigurationName='lc@hotel', ImageId='i', InstanceType='t')
out['group'] = call('create_auto_scaling_group', AutoScalingGroupName='web', LaunchConfigurationName='lc@hotel',
                    MinSize=0, MaxSize=10, DesiredCapacity=1, AvailabilityZones=['us-east-1'])
out['simple'] = call('put_scaling_policy', AutoScalingGroupName='web', PolicyName='up',
                     AdjustmentType='ChangeInCapacity', ScalingAdjustment=2, Cooldown=0)
out['step'] = call('put_scaling_policy', AutoScalingGroupName='web', PolicyName='steps', PolicyType='StepScaling',
                   AdjustmentType='PercentChangeInCapacity', MetricAggregationType='Average',
                   StepAdjustments=[{'MetricIntervalLowerBound': 0.0, 'MetricIntervalUpperBound': 10.0, 'ScalingAdjustment': 50},
                                    {'MetricIntervalLowerBound': 10.0, 'ScalingAdjustment': 100}])
out['describe'] = call('describe_policies', AutoScalingGroupName='web')
out['exec_simple'] = call('execute_policy', AutoScalingGroupName='web', PolicyName='up', HonorCooldown=True)
out['exec_step'] = call('execute_policy', PolicyName=out['step']['ok']['PolicyARN'], MetricValue=59.0, BreachThreshold=50.0)
out['exec_miss'] = call('execute_policy', AutoScalingGroupName='web', PolicyName='steps', MetricValue=1.0, BreachThreshold=50.0)
out['after'] = call('describe_auto_scaling_groups', AutoScalingGroupNames=['web'])
out['activities'] = call('describe_scaling_activities', AutoScalingGroupName='web')
out['delete_name'] = call('delete_policy', AutoScalingGroupName='web', PolicyName='up')
out['delete_arn'] = call('delete_policy', PolicyName=out['step']['ok']['PolicyARN'])
out['delete_again'] = call('delete_policy', AutoScalingGroupName='web', PolicyName='up')
out['empty'] = call('describe_policies')
`;

describe('boto3: scaling policies against the phantom binary', () => {
  const fixture = serverWithClientHome('phantom-boto3-policies-');

  it('puts, describes, executes (simple and step) and deletes policies', needBoto3, async () => {
    const target = { url: fixture.server.url, creds: await fixture.server.addUser('policies') };
    const out = await boto3Program<Out>(fixture.home, target, false, PROGRAM);
    for (const step of ['lc', 'group', 'simple', 'step', 'exec_simple', 'exec_step', 'delete_name', 'delete_arn'])
      boto3Ok(step, out[step]);
    const arn = boto3Ok('step', out.step).PolicyARN as string;
    assert.match(
      arn,
      /^arn:phantom:autoscaling:phantom:[^:]+:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/web:policyName\/steps$/,
    );
    assert.deepEqual(boto3Ok('step', out.step).Alarms, []);
    const policies = boto3Ok('describe', out.describe).ScalingPolicies as Policy[];
    assert.deepEqual(
      policies.map((p) => [p.PolicyName, p.PolicyType, p.AdjustmentType, p.Enabled]),
      [
        ['steps', 'StepScaling', 'PercentChangeInCapacity', true],
        ['up', 'SimpleScaling', 'ChangeInCapacity', true],
      ],
    );
    assert.equal(policies[0]!.PolicyARN, arn);
    assert.deepEqual(policies[0]!.StepAdjustments, [
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 50 },
      { MetricIntervalLowerBound: 10, ScalingAdjustment: 100 },
    ]);
    assert.equal(policies[1]!.ScalingAdjustment, 2);
    // 1 + 2 = 3; then +50% of 3 = 1.5 → 1 → 4.
    const [group] = boto3Ok('after', out.after).AutoScalingGroups as Array<{ DesiredCapacity: number }>;
    assert.equal(group?.DesiredCapacity, 4);
    const causes = (boto3Ok('activities', out.activities).Activities as Array<{ Cause: string }>).map((a) => a.Cause);
    assert.ok(
      causes.some((c) => / a user request executed policy up changing the desired capacity from 1 to 3\.$/.test(c)),
      causes.join('\n'),
    );
    assert.ok(
      causes.some((c) => / a user request executed policy steps changing the desired capacity from 3 to 4\.$/.test(c)),
      causes.join('\n'),
    );
    const miss = boto3Err('exec_miss', out.exec_miss);
    assert.equal(miss.code, 'ValidationError');
    assert.equal(miss.status, 400);
    assert.match(miss.message, /does not correspond to a step adjustment of policy steps/);
    assert.equal(boto3Err('delete_again', out.delete_again).code, 'ValidationError');
    assert.deepEqual(boto3Ok('empty', out.empty).ScalingPolicies, []);
  });
});
