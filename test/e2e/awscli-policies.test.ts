/**
 * Scaling policies through Debian's aws-cli v2 (/usr/bin/aws) against the real `phantom server`
 * binary: put a simple and a step policy, describe them, execute both (the step one with a metric
 * value and breach threshold; a value no step covers is an error), delete by name and by ARN.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { awsCliAvailable, requireClient } from '../support/process.ts';
import { awsCli, awsError, awsOk, serverWithClientHome, type Target } from './clients.ts';

const needAws = requireClient('aws-cli v2 (/usr/bin/aws)', awsCliAvailable());

interface Policy {
  PolicyName: string;
  PolicyARN: string;
  PolicyType: string;
  AdjustmentType?: string;
  ScalingAdjustment?: number;
  StepAdjustments?: Array<{
    MetricIntervalLowerBound?: number;
    MetricIntervalUpperBound?: number;
    ScalingAdjustment: number;
  }>;
}

describe('aws-cli v2: scaling policies against the phantom binary', () => {
  const fixture = serverWithClientHome('phantom-awscli-policies-');

  it('puts, describes, executes and deletes simple and step policies', needAws, async () => {
    const target: Target = { url: fixture.server.url, creds: await fixture.server.addUser('pol') };
    const sdk = fixture.server.sdk(target.creds);
    const aws = (...args: string[]) => awsCli(fixture.home, target, args);
    await sdk.send(
      new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc@hotel', ImageId: 'i', InstanceType: 't' }),
    );
    await sdk.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'lc@hotel',
        MinSize: 0,
        MaxSize: 10,
        DesiredCapacity: 0,
        AvailabilityZones: ['us-east-1'],
      }),
    );
    const group = ['--auto-scaling-group-name', 'web'];
    const [simple, step] = await Promise.all([
      aws(
        'put-scaling-policy',
        ...group,
        '--policy-name',
        'out',
        '--adjustment-type',
        'ChangeInCapacity',
        '--scaling-adjustment',
        '1',
      ),
      aws(
        'put-scaling-policy',
        ...group,
        '--policy-name',
        'steps',
        '--policy-type',
        'StepScaling',
        '--adjustment-type',
        'ExactCapacity',
        '--step-adjustments',
        JSON.stringify([
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 3 },
          { MetricIntervalLowerBound: 10, ScalingAdjustment: 5 },
        ]),
      ),
    ]);
    const simpleArn = awsOk<{ PolicyARN: string }>('put simple', simple).PolicyARN;
    const stepArn = awsOk<{ PolicyARN: string }>('put step', step).PolicyARN;
    assert.match(
      simpleArn,
      /^arn:phantom:autoscaling:.*:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/web:policyName\/out$/,
    );

    const described = awsOk<{ ScalingPolicies: Policy[] }>(
      'describe',
      await aws('describe-policies', ...group),
    ).ScalingPolicies;
    assert.deepEqual(described.map((p) => [p.PolicyName, p.PolicyType, p.PolicyARN]).sort(), [
      ['out', 'SimpleScaling', simpleArn],
      ['steps', 'StepScaling', stepArn],
    ]);
    assert.deepEqual(described.find((p) => p.PolicyName === 'steps')?.StepAdjustments, [
      { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 3 },
      { MetricIntervalLowerBound: 10, ScalingAdjustment: 5 },
    ]);

    const executeStep = (value: string) =>
      aws('execute-policy', ...group, '--policy-name', 'steps', '--metric-value', value, '--breach-threshold', '50');
    assert.equal(awsOk('execute step', await executeStep('55')), undefined, 'execute prints nothing');
    const noStep = awsError('a value below every step', await executeStep('40'), 'ExecutePolicy');
    assert.equal(noStep.code, 'ValidationError');
    assert.equal(awsOk('execute simple by ARN', await aws('execute-policy', '--policy-name', simpleArn)), undefined);
    const desired = async () =>
      (await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]
        ?.DesiredCapacity;
    assert.equal(await desired(), 4, 'ExactCapacity 3, then +1');

    const [byName, byArn] = await Promise.all([
      aws('delete-policy', ...group, '--policy-name', 'out'),
      aws('delete-policy', '--policy-name', stepArn),
    ]);
    assert.equal(awsOk('delete by name', byName), undefined);
    assert.equal(awsOk('delete by ARN', byArn), undefined);
    assert.deepEqual(awsOk('describe after deletes', await aws('describe-policies', ...group)), {
      ScalingPolicies: [],
    });
    assert.equal(
      awsError('execute a deleted policy', await aws('execute-policy', '--policy-name', simpleArn), 'ExecutePolicy')
        .code,
      'ValidationError',
    );
  });
});
