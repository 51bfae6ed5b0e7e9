import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  ResumeProcessesCommand,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  SetInstanceHealthCommand,
  SuspendProcessesCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import type { InstanceRecord } from '../../src/contracts/records.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

const validation = (pattern: RegExp) => (e: Error) => e.name === 'ValidationError' && pattern.test(e.message);

describe('plain AWS groups and instances (JS SDK, in-process)', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  let owner: string;
  before(async () => {
    server = await startTestServer();
    const creds = await server.addUser('bob');
    owner = (await server.running.dataDir.store.getUserByName('bob'))!.id;
    client = server.sdk(creds);
    await client.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'web',
        ImageId: 'ami-1',
        InstanceType: 't3.micro',
        UserData: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
      }),
    );
  });
  after(() => server.close());

  /** Puts an instance into the store, as the controller will once it exists. */
  const seedInstance = (
    groupName: string,
    instanceId: string,
    site = 'hotel',
    createdTime = new Date(Date.now() - 3_600_000),
  ) =>
    server.running.dataDir.store.putInstance({
      owner,
      groupName,
      instanceId,
      site,
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      launchConfigurationName: 'web',
      protectedFromScaleIn: false,
      createdTime,
    } satisfies InstanceRecord);
  const group = async (name: string) =>
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;

  it('validates sizes with AWS wording and stores nothing on error', async () => {
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'g',
          LaunchConfigurationName: 'web',
          MinSize: 3,
          MaxSize: 2,
          AvailabilityZones: ['hotel'],
        }),
      ),
      validation(/Max bound, 2, must be greater than or equal to min bound, 3/),
    );
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'g',
          LaunchConfigurationName: 'nope',
          MinSize: 1,
          MaxSize: 2,
          AvailabilityZones: ['hotel'],
        }),
      ),
      validation(/Launch configuration name not found - Launch configuration nope not found/),
    );
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'g',
          LaunchConfigurationName: 'web',
          MinSize: 1,
          MaxSize: 2,
          AvailabilityZones: [],
        }),
      ),
      validation(/At least one Availability Zone/),
    );
    assert.deepEqual((await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);
  });

  it('defaults desired to MinSize and echoes the zones it was given', async () => {
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'g',
        LaunchConfigurationName: 'web',
        MinSize: 1,
        MaxSize: 4,
        AvailabilityZones: ['sierra', 'hotel'],
        Tags: [{ Key: 'team', Value: 'a b', PropagateAtLaunch: true }],
      }),
    );
    const g = await group('g');
    assert.deepEqual(
      [g.MinSize, g.MaxSize, g.DesiredCapacity, g.DefaultCooldown, g.HealthCheckGracePeriod],
      [1, 4, 1, 300, 0],
    );
    assert.deepEqual(g.AvailabilityZones, ['sierra', 'hotel']);
    assert.equal(g.LaunchConfigurationName, 'web');
    assert.deepEqual(g.Tags, [
      { ResourceId: 'g', ResourceType: 'auto-scaling-group', Key: 'team', Value: 'a b', PropagateAtLaunch: true },
    ]);
  });

  it('SetDesiredCapacity keeps a plain group within its bounds', async () => {
    await assert.rejects(
      client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 5 })),
      validation(/New SetDesiredCapacity value 5 is above max value 4 for the AutoScalingGroup\./),
    );
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 3 }));
    assert.deepEqual([(await group('g')).MinSize, (await group('g')).DesiredCapacity], [1, 3]);
    await assert.rejects(
      client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'missing', DesiredCapacity: 1 })),
      validation(/AutoScalingGroup name not found - AutoScalingGroup 'missing' not found/),
    );
  });

  it('UpdateAutoScalingGroup changes only what is given and moves desired into new bounds', async () => {
    await client.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MaxSize: 2, HealthCheckGracePeriod: 60 }),
    );
    const g = await group('g');
    assert.deepEqual(
      [g.MinSize, g.MaxSize, g.DesiredCapacity, g.HealthCheckGracePeriod, g.DefaultCooldown],
      [1, 2, 2, 60, 300],
    );
    await assert.rejects(
      client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', MinSize: 3 })),
      validation(/Max bound, 2/),
    );
    assert.equal((await group('g')).MinSize, 1);
  });

  it('suspends and resumes processes', async () => {
    await client.send(
      new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch', 'HealthCheck'] }),
    );
    assert.deepEqual(
      (await group('g')).SuspendedProcesses?.map((p) => p.ProcessName),
      ['Launch', 'HealthCheck'],
    );
    assert.match(
      (await group('g')).SuspendedProcesses![0]!.SuspensionReason!,
      /^User suspended at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    await client.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Launch'] }));
    assert.deepEqual(
      (await group('g')).SuspendedProcesses?.map((p) => p.ProcessName),
      ['HealthCheck'],
    );
    await client.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g' }));
    assert.equal((await group('g')).SuspendedProcesses?.length, 9);
    await client.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'g' }));
    assert.deepEqual((await group('g')).SuspendedProcesses, []);
    await assert.rejects(
      client.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'g', ScalingProcesses: ['Sleep'] })),
      validation(/Invalid processes: \[Sleep\]/),
    );
  });

  it('shows instances in the group and in DescribeAutoScalingInstances', async () => {
    await seedInstance('g', 'i-0000000000000001', 'hotel');
    await seedInstance('g', 'i-0000000000000002', 'sierra');
    const g = await group('g');
    assert.deepEqual(
      g.Instances?.map((i) => [
        i.InstanceId,
        i.AvailabilityZone,
        i.LifecycleState,
        i.HealthStatus,
        i.LaunchConfigurationName,
        i.ProtectedFromScaleIn,
      ]),
      [
        ['i-0000000000000001', 'hotel', 'InService', 'Healthy', 'web', false],
        ['i-0000000000000002', 'sierra', 'InService', 'Healthy', 'web', false],
      ],
    );
    const details = await client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: ['i-0000000000000002'] }));
    assert.deepEqual(
      details.AutoScalingInstances?.map((i) => [
        i.InstanceId,
        i.AutoScalingGroupName,
        i.AvailabilityZone,
        i.HealthStatus,
      ]),
      [['i-0000000000000002', 'g', 'sierra', 'HEALTHY']],
    );
  });

  it('SetInstanceHealth marks an instance unhealthy, respecting the grace period', async () => {
    await seedInstance('g', 'i-00000000000000aa', 'hotel', new Date());
    await client.send(new SetInstanceHealthCommand({ InstanceId: 'i-00000000000000aa', HealthStatus: 'Unhealthy' }));
    const status = async (id: string) =>
      (await client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }))).AutoScalingInstances![0]!
        .HealthStatus;
    assert.equal(await status('i-00000000000000aa'), 'HEALTHY', 'inside the 60 s grace period the change is ignored');
    await client.send(
      new SetInstanceHealthCommand({
        InstanceId: 'i-00000000000000aa',
        HealthStatus: 'Unhealthy',
        ShouldRespectGracePeriod: false,
      }),
    );
    assert.equal(await status('i-00000000000000aa'), 'UNHEALTHY');
    await assert.rejects(
      client.send(new SetInstanceHealthCommand({ InstanceId: 'i-404', HealthStatus: 'Healthy' })),
      validation(/Instance Id not found/),
    );
  });

  it('terminating an instance returns an Activity and may decrement', async () => {
    const before = (await group('g')).DesiredCapacity!;
    const out = await client.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: 'i-0000000000000001',
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    assert.equal(out.Activity?.AutoScalingGroupName, 'g');
    assert.equal(out.Activity?.StatusCode, 'InProgress');
    assert.equal(out.Activity?.Description, 'Terminating EC2 instance: i-0000000000000001');
    assert.match(out.Activity?.Cause ?? '', /shrinking the capacity from 2 to 1\.$/);
    assert.equal((await group('g')).DesiredCapacity, before - 1);
    assert.equal(
      (await group('g')).Instances?.find((i) => i.InstanceId === 'i-0000000000000001')?.LifecycleState,
      'Terminating',
    );
    await assert.rejects(
      client.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: 'i-0000000000000002',
          ShouldDecrementDesiredCapacity: true,
        }),
      ),
      validation(/desiredSize equals minSize \(1\)/),
    );
    const activities = await client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'g' }));
    assert.equal(activities.Activities?.[0]?.ActivityId, out.Activity?.ActivityId);
  });

  it('a plain group with instances is deleted only with ForceDelete, and shown as deleting until they are gone', async () => {
    await assert.rejects(
      client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' })),
      ScalingActivityInProgressFault,
    );
    await client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g', ForceDelete: true }));
    const g = await group('g');
    assert.equal(g.Status, 'Delete in progress');
    assert.ok(g.Instances?.every((i) => i.LifecycleState === 'Terminating'));
    await assert.rejects(
      client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 1 })),
      ScalingActivityInProgressFault,
    );
    await assert.rejects(
      client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'missing' })),
      validation(/AutoScalingGroup 'missing' not found/),
    );
  });
});
