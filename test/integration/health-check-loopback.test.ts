import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { simPrivateAddress } from '../../src/drivers/sim/record.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

/** Listens on `host:port` (0: any free port) and returns the port. */
const listen = (server: Server, host: string, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });

describe("a simulated instance's health endpoint, served on its own loopback address", () => {
  let phantom: TestServer;
  let client: AutoScalingClient;
  const addresses = [simPrivateAddress('hotel', 0), simPrivateAddress('hotel', 1)];
  const hits = new Map<string, number>();
  const failing = new Set<string>();
  const servers: Server[] = [];
  let port = 0;
  before(async () => {
    for (const address of addresses) {
      const server = createServer((req, res) => {
        const at = req.socket.localAddress!;
        hits.set(at, (hits.get(at) ?? 0) + 1);
        res.writeHead(failing.has(at) ? 500 : 200).end('ok');
      });
      servers.push(server);
      port = await listen(server, address, port);
    }
    phantom = await startTestServer({ env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '1000' } });
    client = phantom.sdk(await phantom.addUser('web'));
  });
  after(async () => {
    await phantom.close();
    for (const server of servers) server.close();
  });

  const instances = async () =>
    (await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups?.[0]
      ?.Instances ?? [];

  it('is probed there and the instances stay InService', async () => {
    await client.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'web@hotel',
        ImageId: 'img',
        InstanceType: 'm1.small',
      }),
    );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'web@hotel',
        MinSize: 2,
        MaxSize: 2,
        HealthCheckGracePeriod: 0,
        AvailabilityZones: ['hotel'],
        Tags: [
          { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
          { Key: 'clouds', Value: 'hotel:-1' },
          { Key: 'health_check_url', Value: `http://{private_address}:${port}/health` },
          { Key: 'health_check_failures', Value: '3' },
        ],
      }),
    );
    await eventually(
      'both instances probed on their own addresses',
      async () => (addresses.every((a) => (hits.get(a) ?? 0) >= 2) ? true : undefined),
      10_000,
      50,
    );
    const now = await instances();
    assert.equal(now.length, 2);
    assert.ok(now.every((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy'));
  });

  it("refuses a health check aimed at anything but the instance's own address", async () => {
    await assert.rejects(
      client.send(
        new CreateOrUpdateTagsCommand({
          Tags: [
            {
              ResourceId: 'web',
              ResourceType: 'auto-scaling-group',
              Key: 'health_check_url',
              Value: `http://127.0.0.1:${phantom.port}/`,
              PropagateAtLaunch: false,
            },
          ],
        }),
      ),
      (e: Error) => e.name === 'ValidationError' && /host must be \{address\}/.test(e.message),
    );
  });

  it('replaces the instance whose endpoint answers 500, quoting its own address', async () => {
    failing.add(addresses[0]!);
    const cause = await eventually(
      'a replacement caused by the failed check',
      async () =>
        (await client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities?.find(
          (a) => a.Cause?.includes(`GET http://${addresses[0]}:${port}/health answered 500`),
        )?.Cause,
      10_000,
      50,
    );
    assert.match(cause, /Unhealthy/);
  });
});
