import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlreadyExistsFault,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DeleteLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  ResourceInUseFault,
  SetDesiredCapacityCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { startTestServer, type TestServer } from '../support/harness.ts';

/** The seed's session, step by step, with Phantom's semantics checked at each step. */
describe('seed walkthrough (JS SDK, in-process)', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  before(async () => {
    server = await startTestServer();
    client = server.sdk(await server.addUser('alice'));
  });
  after(() => server.close());

  const phantomTags = (name: string, clouds: string, n: number) =>
    [
      ['PHANTOM_DEFINITION', 'error_overflow_n_preserving'],
      ['clouds', clouds],
      ['minimum_vms', String(n)],
    ].map(([Key, Value]) => ({
      Key,
      Value,
      ResourceId: name,
      ResourceType: 'auto-scaling-group',
      PropagateAtLaunch: false,
    }));

  it('creates testlc1 on two sites and lists them as two launch configurations', async () => {
    for (const name of ['testlc1@hotel', 'testlc1@sierra']) {
      await client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: name,
          ImageId: 'hello-cloud',
          InstanceType: 'm1.small',
          KeyName: 'phantomkey',
          SecurityGroups: ['default'],
        }),
      );
    }
    const listed = await client.send(new DescribeLaunchConfigurationsCommand({}));
    assert.deepEqual(
      listed.LaunchConfigurations?.map((lc) => [lc.LaunchConfigurationName, lc.ImageId, lc.InstanceType, lc.KeyName]),
      [
        ['testlc1@hotel', 'hello-cloud', 'm1.small', 'phantomkey'],
        ['testlc1@sierra', 'hello-cloud', 'm1.small', 'phantomkey'],
      ],
    );
    assert.equal(listed.NextToken, undefined);
    assert.ok(listed.LaunchConfigurations?.[0]?.CreatedTime instanceof Date);
  });

  it('refuses a second launch configuration of the same name and an unknown site', async () => {
    await assert.rejects(
      client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: 'testlc1@hotel',
          ImageId: 'x',
          InstanceType: 'y',
        }),
      ),
      AlreadyExistsFault,
    );
    await assert.rejects(
      client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: 'testlc1@nowhere',
          ImageId: 'x',
          InstanceType: 'y',
        }),
      ),
      (e: Error) => e.name === 'ValidationError' && /Unknown site 'nowhere'/.test(e.message),
    );
  });

  it('creates testDomain1 from testlc1@hotel with size 3 over hotel:1 sierra:2', async () => {
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'testDomain1',
        LaunchConfigurationName: 'testlc1@hotel',
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: ['us-east-1'],
        Tags: phantomTags('testDomain1', 'hotel:1,sierra:2', 3),
      }),
    );
    const { AutoScalingGroups: groups } = await client.send(new DescribeAutoScalingGroupsCommand({}));
    assert.equal(groups?.length, 1);
    const g = groups![0]!;
    assert.equal(g.AutoScalingGroupName, 'testDomain1');
    assert.equal(g.LaunchConfigurationName, 'testlc1');
    assert.deepEqual([g.MinSize, g.MaxSize, g.DesiredCapacity], [3, 3, 3]);
    assert.deepEqual(g.AvailabilityZones, ['hotel', 'sierra']);
    assert.deepEqual(
      g.Tags?.map((t) => `${t.Key}=${t.Value}`),
      ['PHANTOM_DEFINITION=error_overflow_n_preserving', 'clouds=hotel:1,sierra:2', 'minimum_vms=3'],
    );
    assert.match(
      g.AutoScalingGroupARN ?? '',
      /^arn:phantom:autoscaling:phantom:\d{12}:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/testDomain1$/,
    );
    assert.equal(g.HealthCheckType, 'EC2');
    assert.deepEqual(g.TerminationPolicies, ['Default']);
  });

  it('a launch configuration the domain uses cannot be deleted', async () => {
    await assert.rejects(
      client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'testlc1@sierra' })),
      ResourceInUseFault,
    );
  });

  it('altering the size pins min = max = desired (n-preserving)', async () => {
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'testDomain1', DesiredCapacity: 2 }));
    const g = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['testDomain1'] })))
      .AutoScalingGroups![0]!;
    assert.deepEqual([g.MinSize, g.MaxSize, g.DesiredCapacity], [2, 2, 2]);
  });

  it('deletes the domain without ForceDelete, then both launch configurations', async () => {
    await client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'testDomain1' }));
    await client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'testlc1@hotel' }));
    await client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'testlc1@sierra' }));
    assert.deepEqual((await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);
    assert.deepEqual((await client.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations, []);
  });
});
