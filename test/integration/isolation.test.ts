import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IMPLEMENTED_ACTIONS } from '../../src/api/autoscaling/index.ts';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

/** For every implemented action, a request that aims at the first user's resources by name or id. */
const ATTEMPTS: Record<string, Record<string, string>> = {
  CreateLaunchConfiguration: { LaunchConfigurationName: 'probe@hotel', ImageId: 'i', InstanceType: 't' },
  DescribeLaunchConfigurations: { 'LaunchConfigurationNames.member.1': 'secret@hotel' },
  DeleteLaunchConfiguration: { LaunchConfigurationName: 'secret@hotel' },
  CreateAutoScalingGroup: {
    AutoScalingGroupName: 'probe',
    LaunchConfigurationName: 'secret@hotel',
    MinSize: '0',
    MaxSize: '1',
    'AvailabilityZones.member.1': 'hotel',
  },
  UpdateAutoScalingGroup: { AutoScalingGroupName: 'secret', MaxSize: '9' },
  DescribeAutoScalingGroups: { 'AutoScalingGroupNames.member.1': 'secret' },
  DeleteAutoScalingGroup: { AutoScalingGroupName: 'secret', ForceDelete: 'true' },
  SetDesiredCapacity: { AutoScalingGroupName: 'secret', DesiredCapacity: '0' },
  SuspendProcesses: { AutoScalingGroupName: 'secret' },
  ResumeProcesses: { AutoScalingGroupName: 'secret' },
  DescribeAutoScalingInstances: { 'InstanceIds.member.1': 'i-secret000000001' },
  TerminateInstanceInAutoScalingGroup: { InstanceId: 'i-secret000000001', ShouldDecrementDesiredCapacity: 'true' },
  SetInstanceHealth: { InstanceId: 'i-secret000000001', HealthStatus: 'Unhealthy', ShouldRespectGracePeriod: 'false' },
  CreateOrUpdateTags: {
    'Tags.member.1.ResourceId': 'secret',
    'Tags.member.1.Key': 'owned',
    'Tags.member.1.Value': 'yes',
  },
  DeleteTags: { 'Tags.member.1.ResourceId': 'secret', 'Tags.member.1.Key': 'clouds' },
  DescribeTags: { 'Filters.member.1.Name': 'auto-scaling-group', 'Filters.member.1.Values.member.1': 'secret' },
  DescribeScalingActivities: { AutoScalingGroupName: 'secret', IncludeDeletedGroups: 'true' },
  DescribeAccountLimits: {},
  PutScheduledUpdateGroupAction: {
    AutoScalingGroupName: 'secret',
    ScheduledActionName: 'nightly',
    Recurrence: '0 1 * * *',
    DesiredCapacity: '9',
  },
  BatchPutScheduledUpdateGroupAction: {
    AutoScalingGroupName: 'secret',
    'ScheduledUpdateGroupActions.member.1.ScheduledActionName': 'nightly',
    'ScheduledUpdateGroupActions.member.1.Recurrence': '0 1 * * *',
    'ScheduledUpdateGroupActions.member.1.DesiredCapacity': '9',
  },
  DescribeScheduledActions: { AutoScalingGroupName: 'secret', 'ScheduledActionNames.member.1': 'nightly' },
  DeleteScheduledAction: { AutoScalingGroupName: 'secret', ScheduledActionName: 'nightly' },
  BatchDeleteScheduledAction: { AutoScalingGroupName: 'secret', 'ScheduledActionNames.member.1': 'nightly' },
  PutScalingPolicy: {
    AutoScalingGroupName: 'secret',
    PolicyName: 'scaler',
    AdjustmentType: 'ChangeInCapacity',
    ScalingAdjustment: '5',
  },
  DescribePolicies: { AutoScalingGroupName: 'secret', 'PolicyNames.member.1': 'scaler' },
  DeletePolicy: { AutoScalingGroupName: 'secret', PolicyName: 'scaler' },
  ExecutePolicy: { AutoScalingGroupName: 'secret', PolicyName: 'scaler' },
};

/** Removes per-request noise so two answers about the same state compare equal. */
const stable = (xml: string) => xml.replace(/<RequestId>[^<]*<\/RequestId>/g, '');

describe('isolation between users', () => {
  let server: TestServer;
  let owner: TestCredentials;
  let intruder: TestCredentials;
  const snapshot = async () =>
    Promise.all(
      [
        'DescribeLaunchConfigurations',
        'DescribeAutoScalingGroups',
        'DescribeAutoScalingInstances',
        'DescribeScalingActivities',
        'DescribeTags',
        'DescribeAccountLimits',
        'DescribeScheduledActions',
        'DescribePolicies',
      ].map(async (Action) => stable((await call(server.url, owner, { Action })).body)),
    );

  before(async () => {
    server = await startTestServer();
    owner = await server.addUser('owner');
    intruder = await server.addUser('intruder');
    await call(server.url, owner, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: 'secret@hotel',
      ImageId: 'i',
      InstanceType: 't',
    });
    await call(server.url, owner, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'secret',
      LaunchConfigurationName: 'secret@hotel',
      MinSize: '2',
      MaxSize: '2',
      'AvailabilityZones.member.1': 'us-east-1',
      'Tags.member.1.Key': 'PHANTOM_DEFINITION',
      'Tags.member.1.Value': 'error_overflow_n_preserving',
      'Tags.member.2.Key': 'clouds',
      'Tags.member.2.Value': 'hotel:-1',
    });
    const ownerId = (await server.running.dataDir.store.getUserByName('owner'))!.id;
    await server.running.dataDir.store.putInstance({
      owner: ownerId,
      groupName: 'secret',
      instanceId: 'i-secret000000001',
      site: 'hotel',
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      launchConfigurationName: 'secret@hotel',
      protectedFromScaleIn: false,
      createdTime: new Date(0),
    });
    const put = await call(server.url, owner, {
      Action: 'PutScheduledUpdateGroupAction',
      AutoScalingGroupName: 'secret',
      ScheduledActionName: 'nightly',
      Recurrence: '0 1 * * *',
      MinSize: '2',
    });
    assert.equal(put.status, 200, put.body);
    const policy = await call(server.url, owner, {
      Action: 'PutScalingPolicy',
      AutoScalingGroupName: 'secret',
      PolicyName: 'scaler',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: '1',
    });
    assert.equal(policy.status, 200, policy.body);
    await call(server.url, owner, {
      Action: 'TerminateInstanceInAutoScalingGroup',
      InstanceId: 'i-secret000000001',
      ShouldDecrementDesiredCapacity: 'false',
    });
  });
  after(() => server.close());

  it('covers every implemented action', () => {
    const constant = [...IMPLEMENTED_ACTIONS.keys()].filter((a) => /^Describe.*Types$/.test(a));
    assert.deepEqual(
      [...IMPLEMENTED_ACTIONS.keys()].filter((a) => !(a in ATTEMPTS) && !constant.includes(a)),
      [],
    );
  });

  it("no action lets another user see or change the owner's resources", async () => {
    const before = await snapshot();
    assert.match(before[1]!, /<AutoScalingGroupName>secret<\/AutoScalingGroupName>/, 'the owner sees the group');
    assert.match(before[6]!, /<ScheduledActionName>nightly<\/ScheduledActionName>/, 'the owner sees its action');
    assert.match(before[7]!, /<PolicyName>scaler<\/PolicyName>/, 'the owner sees its policy');
    for (const [Action, params] of Object.entries(ATTEMPTS)) {
      const res = await call(server.url, intruder, { Action, ...params });
      if (res.status === 200) {
        assert.doesNotMatch(
          res.body,
          /i-secret000000001|secret@hotel<\/LaunchConfigurationName>|<AutoScalingGroupName>secret<|<ResourceId>secret<|<PolicyName>scaler</,
          `${Action} revealed the owner's resource: ${res.body}`,
        );
      } else {
        // Refusals are "not found", exactly as for a name nobody has: no hint that it exists.
        assert.equal(errorCode(res.body), 'ValidationError', `${Action}: ${res.body}`);
        assert.match(res.body, /not found/, `${Action}: ${res.body}`);
      }
    }
    assert.deepEqual(await snapshot(), before, "the owner's resources are unchanged");
  });

  it('the same names are independent per user', async () => {
    const res = await call(server.url, intruder, { Action: 'DescribeAutoScalingGroups' });
    assert.match(
      res.body,
      /<AutoScalingGroups><\/AutoScalingGroups>/,
      "the intruder has no groups (its probe used the owner's launch configuration and was refused)",
    );
    const created = await call(server.url, intruder, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: 'secret@hotel',
      ImageId: 'mine',
      InstanceType: 't',
    });
    assert.equal(created.status, 200, created.body);
    assert.match(
      (await call(server.url, owner, { Action: 'DescribeLaunchConfigurations' })).body,
      /<ImageId>i<\/ImageId>/,
    );
  });
});
