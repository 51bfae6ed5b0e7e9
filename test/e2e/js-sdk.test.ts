/**
 * The launch-configuration → domain lifecycle through @aws-sdk/client-auto-scaling against the
 * real `phantom server` binary: modelled error classes, request ids, and the SDK paginator over
 * 120 groups.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AlreadyExistsFault,
  AutoScalingServiceException,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DeleteLaunchConfigurationCommand,
  DescribeAccountLimitsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  DescribeScalingActivitiesCommand,
  InvalidNextToken,
  ResourceInUseFault,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
  paginateDescribeAutoScalingGroups,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { startPhantom, type PhantomProcess } from '../support/process.ts';
import { USER_DATA, USER_DATA_B64, UUID, createPlainGroups, stopServer } from './clients.ts';

const DOMAIN_TAGS = [
  { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
  { Key: 'clouds', Value: 'hotel:1,sierra:2' },
  { Key: 'minimum_vms', Value: '3' },
  { Key: 'owner', Value: "team a+b/c=d (it's *)" },
].map((t) => ({ ResourceId: 'dom1', ResourceType: 'auto-scaling-group', ...t, PropagateAtLaunch: false }));

/** Runs `fn`, which must reject, and returns what it rejected with. */
async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

function pick(g: AutoScalingGroup | undefined) {
  assert.ok(g, 'group listed');
  return {
    name: g.AutoScalingGroupName,
    lc: g.LaunchConfigurationName,
    min: g.MinSize,
    max: g.MaxSize,
    desired: g.DesiredCapacity,
    cooldown: g.DefaultCooldown,
    zones: g.AvailabilityZones,
    healthCheckType: g.HealthCheckType,
    tags: g.Tags,
  };
}

describe('@aws-sdk/client-auto-scaling against the phantom binary', { concurrency: true }, () => {
  let server: PhantomProcess;

  before(async () => {
    server = await startPhantom();
  });

  after(async () => {
    await stopServer(server);
  });

  it('runs the lifecycle with modelled errors and request ids', async () => {
    const sdk = server.sdk(await server.addUser('js'));
    const createLc = (name: string) =>
      sdk.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: name,
          ImageId: 'hello-cloud',
          InstanceType: 'm1.small',
          KeyName: 'phantomkey',
          SecurityGroups: ['default'],
          UserData: USER_DATA_B64,
        }),
      );

    for (const name of ['web@hotel', 'web@sierra']) {
      const out = await createLc(name);
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.match(out.$metadata.requestId ?? '', UUID, 'requestId of a success (from x-amzn-RequestId)');
    }

    const duplicate = await rejection(() => createLc('web@hotel'));
    assert.ok(duplicate instanceof AlreadyExistsFault, `expected AlreadyExistsFault, got ${String(duplicate)}`);
    assert.equal(duplicate.name, 'AlreadyExistsFault');
    assert.equal(duplicate.$fault, 'client');
    assert.equal(duplicate.$metadata.httpStatusCode, 400);
    assert.match(duplicate.$metadata.requestId ?? '', UUID, 'requestId of an error');
    assert.equal(
      duplicate.message,
      'Launch Configuration by this name already exists - A launch configuration already exists with the name web@hotel',
    );

    const lcs = (await sdk.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? [];
    assert.deepEqual(
      lcs.map((lc) => [
        lc.LaunchConfigurationName,
        lc.ImageId,
        lc.InstanceType,
        lc.KeyName,
        lc.SecurityGroups,
        lc.UserData,
      ]),
      ['web@hotel', 'web@sierra'].map((n) => [n, 'hello-cloud', 'm1.small', 'phantomkey', ['default'], USER_DATA_B64]),
    );
    assert.equal(Buffer.from(lcs[0]!.UserData!, 'base64').toString('utf8'), USER_DATA);
    assert.ok(
      lcs[0]!.CreatedTime instanceof Date && Math.abs(lcs[0]!.CreatedTime.getTime() - Date.now()) < 10 * 60_000,
    );

    await sdk.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'dom1',
        LaunchConfigurationName: 'web@hotel',
        MinSize: 3,
        MaxSize: 3,
        AvailabilityZones: ['us-east-1'],
        Tags: DOMAIN_TAGS,
      }),
    );
    const describe = async () => {
      const out = await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['dom1'] }));
      assert.match(out.$metadata.requestId ?? '', UUID);
      assert.equal(out.NextToken, undefined);
      return out.AutoScalingGroups ?? [];
    };
    const first = await describe();
    assert.equal(first.length, 1);
    const expected = {
      name: 'dom1',
      lc: 'web',
      min: 3,
      max: 3,
      desired: 3,
      cooldown: 300,
      zones: ['hotel', 'sierra'],
      healthCheckType: 'EC2',
      tags: DOMAIN_TAGS,
    };
    assert.deepEqual(pick(first[0]), expected);

    const dupGroup = await rejection(() =>
      sdk.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'dom1',
          LaunchConfigurationName: 'web@hotel',
          MinSize: 0,
          MaxSize: 0,
          AvailabilityZones: ['us-east-1'],
        }),
      ),
    );
    assert.ok(dupGroup instanceof AlreadyExistsFault);

    await sdk.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'dom1', MaxSize: 5, DefaultCooldown: 60 }),
    );
    assert.deepEqual(pick((await describe())[0]), { ...expected, max: 5, cooldown: 60 });

    await sdk.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'dom1', DesiredCapacity: 2 }));
    assert.deepEqual(pick((await describe())[0]), { ...expected, min: 2, max: 2, desired: 2, cooldown: 60 });

    const activities = await sdk.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'dom1' }));
    assert.ok(Array.isArray(activities.Activities));
    for (const a of activities.Activities) assert.equal(a.AutoScalingGroupName, 'dom1');

    const limits = await sdk.send(new DescribeAccountLimitsCommand({}));
    assert.deepEqual(
      [
        limits.MaxNumberOfAutoScalingGroups,
        limits.MaxNumberOfLaunchConfigurations,
        limits.NumberOfAutoScalingGroups,
        limits.NumberOfLaunchConfigurations,
      ],
      [500, 200, 1, 2],
    );

    const inUse = await rejection(() =>
      sdk.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'web@sierra' })),
    );
    assert.ok(inUse instanceof ResourceInUseFault, `expected ResourceInUseFault, got ${String(inUse)}`);
    assert.equal(
      inUse.message,
      'Cannot delete launch configuration web@sierra because it is attached to AutoScalingGroup dom1',
    );
    assert.match(inUse.$metadata.requestId ?? '', UUID);

    const unknown = await rejection(() =>
      sdk.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'noSuchDomain', DesiredCapacity: 1 })),
    );
    assert.ok(unknown instanceof AutoScalingServiceException, String(unknown));
    assert.deepEqual(
      [unknown.name, unknown.$fault, unknown.$metadata.httpStatusCode, unknown.message],
      ['ValidationError', 'client', 400, "AutoScalingGroup name not found - AutoScalingGroup 'noSuchDomain' not found"],
    );

    await sdk.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'dom1' }));
    const remaining = await describe();
    assert.ok(
      remaining.length === 0 || (remaining.length === 1 && remaining[0]!.Status === 'Delete in progress'),
      JSON.stringify(remaining),
    );
    await sdk.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'web@hotel' }));
    await sdk.send(new DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'web@sierra' }));
    assert.deepEqual((await sdk.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations, []);
  });

  it('pages through 120 groups with paginateDescribeAutoScalingGroups', async () => {
    const sdk = server.sdk(await server.addUser('js-pager'));
    const names = await createPlainGroups(sdk, 120);
    const pages: Array<{ names: string[]; next?: string }> = [];
    for await (const page of paginateDescribeAutoScalingGroups({ client: sdk, pageSize: 50 }, {})) {
      pages.push({ names: (page.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!), next: page.NextToken });
    }
    assert.deepEqual(
      pages.map((p) => p.names.length),
      [50, 50, 20],
    );
    assert.deepEqual(
      pages.flatMap((p) => p.names),
      names,
    );
    assert.ok(pages[0]!.next && pages[1]!.next, 'every page but the last carries NextToken');
    assert.equal(pages[2]!.next, undefined, 'the last page carries no NextToken');

    // A token is bound to its listing: edited or foreign tokens are InvalidNextToken.
    const forged = await rejection(() =>
      sdk.send(new DescribeAutoScalingGroupsCommand({ NextToken: `${pages[0]!.next}x` })),
    );
    assert.ok(forged instanceof InvalidNextToken, String(forged));
  });
});
