import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressOf, groupArn, isAutoScalingArn, launchConfigurationArn } from './arn.ts';

describe('ARN addressing', () => {
  const group = groupArn('123456789012', 'web/a:b');
  const lc = launchConfigurationArn('123456789012', 'web@hotel');

  it('a name is a name; an ARN of the asked type gives its name and the ARN to match exactly', () => {
    assert.deepEqual(addressOf('web', 'autoScalingGroup'), { name: 'web' });
    assert.deepEqual(addressOf('arn:nothing-like-one', 'autoScalingGroup'), { name: 'arn:nothing-like-one' });
    assert.deepEqual(addressOf(group, 'autoScalingGroup'), { name: 'web/a:b', arn: group });
    assert.deepEqual(addressOf(lc, 'launchConfiguration'), { name: 'web@hotel', arn: lc });
  });

  it('an ARN of another type, name key or with no name addresses nothing of this type', () => {
    assert.equal(addressOf(lc, 'autoScalingGroup'), undefined);
    assert.equal(addressOf(group, 'launchConfiguration'), undefined);
    assert.equal(
      addressOf(group.replace(':autoScalingGroup:', ':launchConfiguration:'), 'autoScalingGroup'),
      undefined,
    );
    assert.equal(
      addressOf(group.replace('autoScalingGroupName/', 'launchConfigurationName/'), 'autoScalingGroup'),
      undefined,
    );
    assert.equal(addressOf(group.replace(/web\/a:b$/, ''), 'autoScalingGroup'), undefined);
  });

  it('tells ARN-shaped strings from names', () => {
    assert.equal(isAutoScalingArn(group), true);
    assert.equal(isAutoScalingArn('arn:aws:autoscaling:us-east-1:1:autoScalingGroup:u:autoScalingGroupName/g'), true);
    assert.equal(isAutoScalingArn('arn:aws:ec2:us-east-1:1:instance/i-1'), false);
    assert.equal(isAutoScalingArn('web@hotel'), false);
  });
});
