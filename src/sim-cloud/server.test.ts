import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  EC2Client,
  paginateDescribeInstances,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { FixedClock } from '../contracts/clock.ts';
import { seededRandom } from '../lib/random.ts';
import { startSimCloudServer, type SimCloudServer, type SimCloudServerOptions } from './server.ts';

const CREDS = { accessKeyId: 'AKIDSIM', secretAccessKey: 'sim-secret' };
const dirs: string[] = [];

function tempState(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cloud-'));
  dirs.push(dir);
  return join(dir, 'state.json');
}

after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Fixture {
  server: SimCloudServer;
  clock: FixedClock;
  ec2: EC2Client;
}

async function start(extra: Partial<SimCloudServerOptions> = {}, credentials = CREDS): Promise<Fixture> {
  const clock = new FixedClock();
  const server = await startSimCloudServer({
    host: '127.0.0.1',
    port: 0,
    site: 'hotel',
    stateFile: tempState(),
    knobs: { bootMs: 30_000 },
    clock,
    random: seededRandom(7),
    ...extra,
  });
  const ec2 = new EC2Client({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return { server, clock, ec2 };
}

async function stop(f: Fixture): Promise<void> {
  f.ec2.destroy();
  await f.server.close();
}

const launch = (tags: Record<string, string>, extra: Partial<RunInstancesCommandInput> = {}): RunInstancesCommand =>
  new RunInstancesCommand({
    ImageId: 'ami-1',
    InstanceType: 't3.micro',
    MinCount: 1,
    MaxCount: 1,
    TagSpecifications: [
      { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    ],
    ...extra,
  });

async function describeAll(
  ec2: EC2Client,
  filters: Array<{ Name: string; Values: string[] }> = [],
): Promise<Instance[]> {
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: filters }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

async function rejectsWith(p: Promise<unknown>, name: string, status?: number): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, name, e.message);
    if (status !== undefined)
      assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, status);
    return true;
  });
}

describe('sim-cloud server over @aws-sdk/client-ec2', () => {
  let f: Fixture;
  before(async () => {
    f = await start();
  });
  after(async () => stop(f));

  it('launches pending, then running with addresses after the boot time', async () => {
    const out = await f.ec2.send(
      launch(
        { PhantomGroup: 'boot' },
        { ClientToken: 'tok-boot', KeyName: 'k1', SecurityGroups: ['web'], UserData: 'aGVsbG8=' },
      ),
    );
    const first = out.Instances?.[0];
    assert.ok(first);
    assert.ok(first.InstanceId?.startsWith('i-'));
    const id: string = first.InstanceId ?? '';
    assert.equal(out.ReservationId?.startsWith('r-'), true);
    assert.deepEqual(first.State, { Code: 0, Name: 'pending' });
    assert.equal(first.ClientToken, 'tok-boot');
    assert.equal(first.KeyName, 'k1');
    assert.equal(first.ImageId, 'ami-1');
    assert.equal(first.InstanceType, 't3.micro');
    assert.deepEqual(first.Tags, [{ Key: 'PhantomGroup', Value: 'boot' }]);
    assert.equal(first.PublicIpAddress, undefined);
    assert.equal(first.Placement?.AvailabilityZone, 'hotel');
    assert.equal(f.server.cloud.inspect(id)?.userData, 'aGVsbG8=');
    f.clock.advance(30_000);
    const [now] = await describeAll(f.ec2, [{ Name: 'tag:PhantomGroup', Values: ['boot'] }]);
    assert.deepEqual(now?.State, { Code: 16, Name: 'running' });
    const record = f.server.cloud.state.get(id);
    assert.match(now?.PrivateIpAddress ?? '', /^127\./, 'loopback, as the embedded sim');
    assert.match(now?.PublicIpAddress ?? '', /^127\./);
    assert.deepEqual([now?.PrivateIpAddress, now?.PublicIpAddress], [record?.privateAddress, record?.publicAddress]);
    assert.equal(now?.LaunchTime?.toISOString(), '2026-11-25T12:00:00.000Z');
    assert.deepEqual(now?.SecurityGroups, [{ GroupName: 'web' }]);
  });

  it('returns the same instance for the same ClientToken, creating one', async () => {
    const a = await f.ec2.send(launch({ PhantomGroup: 'idem' }, { ClientToken: 'tok-idem' }));
    const b = await f.ec2.send(launch({ PhantomGroup: 'idem' }, { ClientToken: 'tok-idem' }));
    assert.equal(a.Instances?.[0]?.InstanceId, b.Instances?.[0]?.InstanceId);
    assert.equal((await describeAll(f.ec2, [{ Name: 'tag:PhantomGroup', Values: ['idem'] }])).length, 1);
    await rejectsWith(
      f.ec2.send(launch({ PhantomGroup: 'other' }, { ClientToken: 'tok-idem' })),
      'IdempotentParameterMismatch',
      400,
    );
  });

  it('selects exactly by tag, tag-key, state and client-token filters', async () => {
    await f.ec2.send(launch({ Team: 'a', Env: 'prod' }, { ClientToken: 'tok-f1' }));
    await f.ec2.send(launch({ Team: 'a', Env: 'dev' }, { ClientToken: 'tok-f2' }));
    await f.ec2.send(launch({ Team: 'b', Env: 'prod' }, { ClientToken: 'tok-f3' }));
    const tokens = (list: Instance[]): string[] => list.map((i) => i.ClientToken ?? '').sort();
    assert.deepEqual(tokens(await describeAll(f.ec2, [{ Name: 'tag:Team', Values: ['a'] }])), ['tok-f1', 'tok-f2']);
    assert.deepEqual(
      tokens(
        await describeAll(f.ec2, [
          { Name: 'tag:Team', Values: ['a'] },
          { Name: 'tag:Env', Values: ['prod'] },
        ]),
      ),
      ['tok-f1'],
    );
    assert.deepEqual(
      tokens(
        await describeAll(f.ec2, [
          { Name: 'tag:Env', Values: ['prod', 'dev'] },
          { Name: 'tag:Team', Values: ['b'] },
        ]),
      ),
      ['tok-f3'],
    );
    assert.deepEqual(tokens(await describeAll(f.ec2, [{ Name: 'tag-key', Values: ['Team'] }])), [
      'tok-f1',
      'tok-f2',
      'tok-f3',
    ]);
    assert.deepEqual(tokens(await describeAll(f.ec2, [{ Name: 'client-token', Values: ['tok-f2'] }])), ['tok-f2']);
    assert.deepEqual(
      tokens(
        await describeAll(f.ec2, [
          { Name: 'tag:Team', Values: ['a'] },
          { Name: 'instance-state-name', Values: ['running'] },
        ]),
      ),
      [],
    );
    assert.deepEqual(
      tokens(
        await describeAll(f.ec2, [
          { Name: 'tag:Team', Values: ['*'] },
          { Name: 'instance-state-name', Values: ['pending'] },
        ]),
      ),
      ['tok-f1', 'tok-f2', 'tok-f3'],
    );
    await rejectsWith(describeAll(f.ec2, [{ Name: 'vpc-id', Values: ['x'] }]), 'InvalidParameterValue', 400);
  });

  it('terminates idempotently, reporting previous and current states', async () => {
    const out = await f.ec2.send(launch({ PhantomGroup: 'term' }, { ClientToken: 'tok-term' }));
    const id = out.Instances?.[0]?.InstanceId ?? '';
    const first = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(first.TerminatingInstances?.[0], {
      InstanceId: id,
      CurrentState: { Code: 48, Name: 'terminated' },
      PreviousState: { Code: 0, Name: 'pending' },
    });
    const again = await f.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id, 'i-00000000000000000'] }));
    assert.deepEqual(
      again.TerminatingInstances?.map((t) => [t.InstanceId, t.PreviousState?.Name, t.CurrentState?.Name]),
      [
        [id, 'terminated', 'terminated'],
        ['i-00000000000000000', 'terminated', 'terminated'],
      ],
    );
    const [seen] = await describeAll(f.ec2, [{ Name: 'tag:PhantomGroup', Values: ['term'] }]);
    assert.equal(seen?.State?.Name, 'terminated');
    assert.equal(seen?.StateReason?.Code, 'Client.UserInitiatedShutdown');
  });

  it('answers the minimal describes a driver calls', async () => {
    const regions = await f.ec2.send(new DescribeRegionsCommand({}));
    assert.deepEqual(
      regions.Regions?.map((r) => r.RegionName),
      ['us-east-1'],
    );
    const zones = await f.ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(
      zones.AvailabilityZones?.map((z) => [z.ZoneName, z.State]),
      [['hotel', 'available']],
    );
    const images = await f.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-anything'] }));
    assert.deepEqual(
      images.Images?.map((i) => i.ImageId),
      ['ami-anything'],
    );
    const types = await f.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro'] }));
    assert.deepEqual(
      types.InstanceTypes?.map((t) => t.InstanceType),
      ['t3.micro'],
    );
  });

  it('drops the connection when a launch response is lost, and the retry returns the same instance', async () => {
    f.server.cloud.driver.loseNextLaunchResponses(1);
    await assert.rejects(f.ec2.send(launch({ PhantomGroup: 'lost' }, { ClientToken: 'tok-lost' })));
    const exists = await describeAll(f.ec2, [{ Name: 'tag:PhantomGroup', Values: ['lost'] }]);
    assert.equal(exists.length, 1);
    const retry = await f.ec2.send(launch({ PhantomGroup: 'lost' }, { ClientToken: 'tok-lost' }));
    assert.equal(retry.Instances?.[0]?.InstanceId, exists[0]?.InstanceId);
  });
});

describe('sim-cloud server: pagination, knobs, auth, persistence', () => {
  it('pages 25 instances 5 at a time with an opaque NextToken', async () => {
    const f = await start();
    try {
      for (let n = 0; n < 25; n++) {
        await f.ec2.send(launch({ PhantomGroup: 'many' }, { ClientToken: `tok-page-${n}` }));
        if (n % 3 === 0) f.clock.advance(1);
      }
      await f.ec2.send(launch({ PhantomGroup: 'unrelated' }, { ClientToken: 'tok-unrelated' }));
      const pages: number[] = [];
      const ids: string[] = [];
      const paginator = paginateDescribeInstances(
        { client: f.ec2, pageSize: 5 },
        { Filters: [{ Name: 'tag:PhantomGroup', Values: ['many'] }] },
      );
      for await (const p of paginator) {
        const instances = (p.Reservations ?? []).flatMap((r) => r.Instances ?? []);
        pages.push(instances.length);
        ids.push(...instances.map((i) => i.InstanceId ?? ''));
      }
      assert.deepEqual(pages, [5, 5, 5, 5, 5]);
      assert.equal(new Set(ids).size, 25);
      await rejectsWith(
        f.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'garbage!' })),
        'InvalidPaginationToken',
        400,
      );
      await rejectsWith(f.ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })), 'InvalidParameterValue', 400);
    } finally {
      await stop(f);
    }
  });

  it('fails launches beyond the capacity knob with InsufficientInstanceCapacity', async () => {
    const f = await start({ knobs: { capacity: 1 } });
    try {
      await f.ec2.send(launch({}, { ClientToken: 'tok-c1' }));
      await rejectsWith(f.ec2.send(launch({}, { ClientToken: 'tok-c2' })), 'InsufficientInstanceCapacity', 400);
      f.server.cloud.setKnobs({ failCalls: { listInstances: 'throttled' } });
      await rejectsWith(describeAll(f.ec2), 'RequestLimitExceeded', 503);
      f.server.cloud.setKnobs({ failCalls: { terminate: 'transient' } });
      await rejectsWith(f.ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-1'] })), 'InternalError', 500);
    } finally {
      await stop(f);
    }
  });

  it('checks SigV4 when keys are configured', async () => {
    const good = await start({ keys: [CREDS] });
    const bad = new EC2Client({
      endpoint: good.server.url,
      region: 'us-east-1',
      credentials: { ...CREDS, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    const unknown = new EC2Client({
      endpoint: good.server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    try {
      assert.deepEqual((await good.ec2.send(new DescribeRegionsCommand({}))).Regions?.length, 1);
      await rejectsWith(bad.send(new DescribeRegionsCommand({})), 'AuthFailure', 401);
      await rejectsWith(unknown.send(new DescribeRegionsCommand({})), 'AuthFailure', 401);
      const unsigned = await fetch(good.server.url, {
        method: 'POST',
        body: 'Action=DescribeRegions&Version=2016-11-15',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(unsigned.status, 401);
      assert.match(await unsigned.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    } finally {
      bad.destroy();
      unknown.destroy();
      await stop(good);
    }
  });

  it('keeps instances across a restart on the same state file', async () => {
    const stateFile = tempState();
    const first = await start({ stateFile });
    const out = await first.ec2.send(launch({ PhantomGroup: 'persist' }, { ClientToken: 'tok-persist' }));
    const id = out.Instances?.[0]?.InstanceId;
    await stop(first);
    const second = await start({ stateFile });
    try {
      const found = await describeAll(second.ec2, [{ Name: 'tag:PhantomGroup', Values: ['persist'] }]);
      assert.deepEqual(
        found.map((i) => i.InstanceId),
        [id],
      );
      const again = await second.ec2.send(launch({ PhantomGroup: 'persist' }, { ClientToken: 'tok-persist' }));
      assert.equal(again.Instances?.[0]?.InstanceId, id);
    } finally {
      await stop(second);
    }
  });

  it('refuses images and instance types outside configured lists', async () => {
    const f = await start({ images: ['ami-ok'], instanceTypes: ['t3.small'] });
    try {
      await rejectsWith(
        f.ec2.send(launch({}, { ImageId: 'ami-nope', InstanceType: 't3.small' })),
        'InvalidAMIID.NotFound',
        400,
      );
      await rejectsWith(
        f.ec2.send(launch({}, { ImageId: 'ami-ok', InstanceType: 'x1e.32xlarge' })),
        'InvalidParameterValue',
        400,
      );
      await rejectsWith(
        f.ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nope'] })),
        'InvalidAMIID.NotFound',
        400,
      );
      assert.deepEqual(
        (await f.ec2.send(new DescribeImagesCommand({}))).Images?.map((i) => i.ImageId),
        ['ami-ok'],
      );
      const ok = await f.ec2.send(launch({}, { ImageId: 'ami-ok', InstanceType: 't3.small' }));
      assert.equal(ok.Instances?.[0]?.State?.Name, 'pending');
    } finally {
      await stop(f);
    }
  });
});
