import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAccountLimitsCommand,
  DescribeAdjustmentTypesCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingProcessTypesCommand,
  DescribeTagsCommand,
  DescribeTerminationPolicyTypesCommand,
  InvalidNextToken,
  LimitExceededFault,
  paginateDescribeAutoScalingGroups,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { startTestServer, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

const validation = (pattern: RegExp) => (e: Error) => e.name === 'ValidationError' && pattern.test(e.message);

describe('tags, limits, pagination and constant actions', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  before(async () => {
    server = await startTestServer({ env: { PHANTOM_MAX_GROUPS: '130', PHANTOM_MAX_LAUNCH_CONFIGURATIONS: '3' } });
    client = server.sdk(await server.addUser('carol'));
    for (const name of ['lc@hotel', 'lc@sierra'])
      await client.send(
        new CreateLaunchConfigurationCommand({ LaunchConfigurationName: name, ImageId: 'img', InstanceType: 'small' }),
      );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'dom',
        LaunchConfigurationName: 'lc@sierra',
        MinSize: 2,
        MaxSize: 2,
        AvailabilityZones: ['us-east-1'],
        Tags: [
          { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
          { Key: 'clouds', Value: 'hotel:1,sierra:-1' },
        ],
      }),
    );
  });
  after(() => server.close());

  it('CreateOrUpdateTags overwrites and appends; a bad clouds value changes nothing', async () => {
    await client.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          {
            ResourceId: 'dom',
            ResourceType: 'auto-scaling-group',
            Key: 'clouds',
            Value: 'sierra:2,hotel:1',
            PropagateAtLaunch: false,
          },
          { ResourceId: 'dom', Key: 'env', Value: 'prod', PropagateAtLaunch: true },
        ],
      }),
    );
    const tags = async () =>
      (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['dom'] })))
        .AutoScalingGroups![0]!;
    assert.deepEqual(
      (await tags()).Tags?.map((t) => `${t.Key}=${t.Value}`),
      ['PHANTOM_DEFINITION=error_overflow_n_preserving', 'clouds=sierra:2,hotel:1', 'env=prod'],
    );
    assert.deepEqual((await tags()).AvailabilityZones, ['sierra', 'hotel']);
    await assert.rejects(
      client.send(
        new CreateOrUpdateTagsCommand({ Tags: [{ ResourceId: 'dom', Key: 'clouds', Value: 'hotel:1,mars:2' }] }),
      ),
      validation(/Unknown site mars/),
    );
    await assert.rejects(
      client.send(
        new CreateOrUpdateTagsCommand({
          Tags: [
            { ResourceId: 'dom', Key: 'x', Value: '1' },
            { ResourceId: 'ghost', Key: 'x', Value: '1' },
          ],
        }),
      ),
      validation(/AutoScalingGroup 'ghost' not found/),
    );
    assert.deepEqual(
      (await tags()).Tags?.map((t) => t.Key),
      ['PHANTOM_DEFINITION', 'clouds', 'env'],
      'all-or-nothing',
    );
  });

  it('DescribeTags filters and DeleteTags removes', async () => {
    const described = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['env', 'clouds'] }] }),
    );
    assert.deepEqual(
      described.Tags?.map((t) => [t.ResourceId, t.Key, t.Value, t.PropagateAtLaunch]),
      [
        ['dom', 'clouds', 'sierra:2,hotel:1', false],
        ['dom', 'env', 'prod', true],
      ],
    );
    await assert.rejects(
      client.send(new DescribeTagsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
      validation(/Filter type colour is not correct/),
    );
    await client.send(new DeleteTagsCommand({ Tags: [{ ResourceId: 'dom', Key: 'env' }] }));
    assert.deepEqual(
      (await client.send(new DescribeTagsCommand({}))).Tags?.map((t) => t.Key),
      ['PHANTOM_DEFINITION', 'clouds'],
    );
  });

  it('reports and enforces the configured limits', async () => {
    const limits = await client.send(new DescribeAccountLimitsCommand({}));
    assert.deepEqual(
      [
        limits.MaxNumberOfAutoScalingGroups,
        limits.MaxNumberOfLaunchConfigurations,
        limits.NumberOfAutoScalingGroups,
        limits.NumberOfLaunchConfigurations,
      ],
      [130, 3, 1, 2],
    );
    await client.send(
      new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'third', ImageId: 'i', InstanceType: 't' }),
    );
    await assert.rejects(
      client.send(
        new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'fourth', ImageId: 'i', InstanceType: 't' }),
      ),
      LimitExceededFault,
    );
  });

  it('paginates 120 groups with opaque tokens, none on the last page', async () => {
    for (let i = 0; i < 120; i++) {
      await client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: `page-${String(i).padStart(3, '0')}`,
          LaunchConfigurationName: 'third',
          MinSize: 0,
          MaxSize: 1,
          AvailabilityZones: ['hotel'],
        }),
      );
    }
    const first = await client.send(new DescribeAutoScalingGroupsCommand({}));
    assert.equal(first.AutoScalingGroups?.length, 50);
    assert.ok(first.NextToken && !first.NextToken.includes('dom'), 'the token is opaque');
    const names: string[] = [];
    for await (const page of paginateDescribeAutoScalingGroups({ client, pageSize: 40 }, {}))
      names.push(...(page.AutoScalingGroups ?? []).map((g) => g.AutoScalingGroupName!));
    assert.equal(names.length, 121);
    assert.deepEqual(names, [...names].sort());
    const last = await client.send(
      new DescribeAutoScalingGroupsCommand({
        MaxRecords: 100,
        NextToken: (await client.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 100 }))).NextToken,
      }),
    );
    assert.equal(last.AutoScalingGroups?.length, 21);
    assert.equal(last.NextToken, undefined);
    await assert.rejects(client.send(new DescribeAutoScalingGroupsCommand({ NextToken: 'forged' })), InvalidNextToken);
    await assert.rejects(
      client.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 101 })),
      validation(/between 1 and 100/),
    );
    // 121 groups exist; the limit is 130.
    for (let i = 121; i < 130; i++)
      await client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: `fill-${i}`,
          LaunchConfigurationName: 'third',
          MinSize: 0,
          MaxSize: 1,
          AvailabilityZones: ['hotel'],
        }),
      );
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'too-many',
          LaunchConfigurationName: 'third',
          MinSize: 0,
          MaxSize: 1,
          AvailabilityZones: ['hotel'],
        }),
      ),
      LimitExceededFault,
    );
    assert.equal((await client.send(new DescribeAccountLimitsCommand({}))).NumberOfAutoScalingGroups, 130);
  });

  it('answers the constant Describe*Types actions', async () => {
    assert.deepEqual(
      (await client.send(new DescribeAdjustmentTypesCommand({}))).AdjustmentTypes?.map((a) => a.AdjustmentType),
      ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'],
    );
    assert.ok(
      (await client.send(new DescribeScalingProcessTypesCommand({}))).Processes?.some(
        (p) => p.ProcessName === 'ReplaceUnhealthy',
      ),
    );
    assert.ok(
      (await client.send(new DescribeTerminationPolicyTypesCommand({}))).TerminationPolicyTypes?.includes(
        'OldestInstance',
      ),
    );
  });

  it('refuses actions it does not implement, and unknown ones, with InvalidAction', async () => {
    const creds = await server.addUser('dave');
    for (const action of ['AttachInstances', 'Frobnicate']) {
      const res = await call(server.url, creds, { Action: action });
      assert.equal(res.status, 400);
      assert.equal(errorCode(res.body), 'InvalidAction');
    }
  });
});
