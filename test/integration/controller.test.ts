import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DeleteLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

describe('the seed walkthrough converges on a server with its controller (simulated hotel and sierra)', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  before(async () => {
    server = await startTestServer({ env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '200' } });
    client = server.sdk(await server.addUser('seed'));
  });
  after(() => server.close());

  const placement = async () => {
    const g = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['testDomain1'] })))
      .AutoScalingGroups?.[0];
    if (!g) return 'gone';
    return (g.Instances ?? [])
      .map((i) => `${i.AvailabilityZone}:${i.LifecycleState}:${i.HealthStatus}`)
      .sort()
      .join(' ');
  };

  it('3 Healthy InService instances: one on hotel, two on sierra', async () => {
    for (const name of ['testlc1@hotel', 'testlc1@sierra'])
      await client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: name,
          ImageId: 'hello-cloud',
          InstanceType: 'm1.small',
        }),
      );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'testDomain1',
        LaunchConfigurationName: 'testlc1@hotel',
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: ['us-east-1'],
        Tags: [
          { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
          { Key: 'clouds', Value: 'hotel:1,sierra:2' },
          { Key: 'minimum_vms', Value: '3' },
        ],
      }),
    );
    const want = 'hotel:InService:Healthy sierra:InService:Healthy sierra:InService:Healthy';
    await eventually(`placement ${want}`, async () => ((await placement()) === want ? true : undefined), 10_000, 50);
    const activities =
      (await client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'testDomain1' }))).Activities ??
      [];
    assert.equal(
      activities.filter(
        (a) => a.StatusCode === 'Successful' && /Launching a new EC2 instance: i-/.test(a.Description ?? ''),
      ).length,
      3,
    );
  });

  it('altering to 2 removes one from sierra', async () => {
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'testDomain1', DesiredCapacity: 2 }));
    await eventually(
      'one hotel and one sierra instance',
      async () => ((await placement()) === 'hotel:InService:Healthy sierra:InService:Healthy' ? true : undefined),
      10_000,
      50,
    );
  });

  it('deleting terminates everything, and the launch configurations can go at once', async () => {
    await client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'testDomain1' }));
    await client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'testlc1@hotel' }));
    await client.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'testlc1@sierra' }));
    await eventually('the domain gone', async () => ((await placement()) === 'gone' ? true : undefined), 10_000, 50);
  });
});

describe('an API write reconciles its domains at once, without waiting for the poll', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  before(async () => {
    server = await startTestServer({ env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '600000' } });
    client = server.sdk(await server.addUser('eager'));
  });
  after(() => server.close());

  it('launches within seconds although the next poll is ten minutes away', async () => {
    await client.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'lc@hotel',
        ImageId: 'hello-cloud',
        InstanceType: 'm1.small',
      }),
    );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'eager',
        LaunchConfigurationName: 'lc@hotel',
        MinSize: 2,
        MaxSize: 2,
        AvailabilityZones: ['hotel'],
      }),
    );
    const instances = await eventually(
      'two instances',
      async () => {
        const g = (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['eager'] })))
          .AutoScalingGroups?.[0];
        return (g?.Instances?.length ?? 0) === 2 ? g!.Instances! : undefined;
      },
      5000,
      50,
    );
    assert.deepEqual(
      instances.map((i) => i.AvailabilityZone),
      ['hotel', 'hotel'],
    );
  });
});
