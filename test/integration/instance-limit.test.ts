import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { startTestServer, type TestServer } from '../support/harness.ts';

const limitExceeded = (limit: number, total: number) => (e: Error) => {
  assert.equal(e.name, 'LimitExceededFault'); // the SDK's name for the LimitExceeded code
  assert.equal(
    e.message,
    `Instance limit exceeded: user dora may run at most ${limit} instances (desired capacities would total ${total}).`,
  );
  return true;
};

describe('per-user instance limit over the signed API', () => {
  let server: TestServer;
  let client: AutoScalingClient;
  const desired = async () =>
    (await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups?.map((g) => [
      g.AutoScalingGroupName,
      g.DesiredCapacity,
    ]);

  before(async () => {
    server = await startTestServer({ env: { PHANTOM_MAX_INSTANCES: '8' } });
    client = server.sdk(await server.addUser('dora'));
    await client.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'lc@hotel',
        ImageId: 'img',
        InstanceType: 'small',
      }),
    );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'lc@hotel',
        MinSize: 0,
        MaxSize: 100,
        DesiredCapacity: 5,
        AvailabilityZones: ['us-east-1'],
      }),
    );
  });
  after(() => server.close());

  it('refuses CreateAutoScalingGroup, SetDesiredCapacity and UpdateAutoScalingGroup beyond PHANTOM_MAX_INSTANCES', async () => {
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'dom',
          LaunchConfigurationName: 'lc@hotel',
          MinSize: 4,
          MaxSize: 4,
          AvailabilityZones: ['us-east-1'],
          Tags: [
            { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
            { Key: 'clouds', Value: 'hotel:-1' },
          ],
        }),
      ),
      limitExceeded(8, 9),
    );
    await assert.rejects(
      client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 9 })),
      limitExceeded(8, 9),
    );
    await assert.rejects(
      client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 20 })),
      limitExceeded(8, 20),
    );
    assert.deepEqual(await desired(), [['web', 5]]);
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 8 }));
    assert.deepEqual(await desired(), [['web', 8]]);
  });

  it("a user's override (phantom user limits --max-instances) applies to the next write; lowering always works", async () => {
    await server.running.dataDir.accounts.setLimits('dora', { maxInstances: 2 });
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 6 }));
    await assert.rejects(
      client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 7 })),
      limitExceeded(2, 7),
    );
    await server.running.dataDir.accounts.setLimits('dora', { maxInstances: 50 });
    await client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 50 }));
    assert.deepEqual(await desired(), [['web', 50]]);
  });
});
