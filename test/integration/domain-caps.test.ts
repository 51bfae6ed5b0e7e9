/**
 * A Phantom domain whose sites all have finite caps can never run more than their sum: a write
 * asking for more is refused (it would run short for ever, silently). Requests are shaped as
 * boto 2's asg_create.py sends them. A domain's `clouds` tag names its sites, so it needs no
 * AvailabilityZones; a plain AWS group keeps AWS's rule.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

/** What boto 2's asg_create.py NAME LC N clouds... sends (availability zone placeholder, min = max = N). */
function asgCreate(name: string, lc: string, size: number, clouds: string, zones: string[] = ['us-east-1']) {
  const params: Record<string, string> = {
    Action: 'CreateAutoScalingGroup',
    AutoScalingGroupName: name,
    LaunchConfigurationName: lc,
    MinSize: String(size),
    MaxSize: String(size),
  };
  zones.forEach((zone, i) => (params[`AvailabilityZones.member.${i + 1}`] = zone));
  const tags = [
    ['PHANTOM_DEFINITION', 'error_overflow_n_preserving'],
    ['clouds', clouds],
    ['minimum_vms', String(size)],
  ];
  tags.forEach(([key, value], i) => {
    const p = `Tags.member.${i + 1}`;
    Object.assign(params, {
      [`${p}.Key`]: key,
      [`${p}.Value`]: value,
      [`${p}.ResourceId`]: name,
      [`${p}.PropagateAtLaunch`]: 'false',
    });
  });
  return params;
}

describe("a domain's desired capacity stays within the sum of its finite caps", () => {
  let server: TestServer;
  let creds: TestCredentials;
  before(async () => {
    server = await startTestServer();
    creds = await server.addUser('carol');
    for (const name of ['cap@hotel', 'cap@sierra', 'plain'])
      await ok({ Action: 'CreateLaunchConfiguration', LaunchConfigurationName: name, ImageId: 'i', InstanceType: 't' });
  });
  after(() => server.close());

  async function ok(params: Record<string, string>): Promise<string> {
    const res = await call(server.url, creds, params);
    assert.equal(res.status, 200, res.body);
    return res.body;
  }
  const refused = async (params: Record<string, string>, message: string) => {
    const res = await call(server.url, creds, params);
    assert.equal(res.status, 400, res.body);
    assert.equal(errorCode(res.body), 'ValidationError');
    assert.ok(res.body.includes(`<Message>${message.replace(/'/g, '&apos;')}</Message>`), res.body);
  };
  const describeGroup = (name: string) =>
    ok({ Action: 'DescribeAutoScalingGroups', 'AutoScalingGroupNames.member.1': name });
  const desired = async (name: string) => Number(/<DesiredCapacity>(\d+)</.exec(await describeGroup(name))?.[1]);

  it('asg_create.py capD cap@hotel 3 hotel:1 is refused, naming the numbers, and nothing is stored', async () => {
    await refused(
      asgCreate('capD', 'cap@hotel', 3, 'hotel:1'),
      "DesiredCapacity 3 exceeds the domain's total cap of 1 (hotel:1).",
    );
    assert.match(await describeGroup('capD'), /<AutoScalingGroups><\/AutoScalingGroups>/);
    await refused(
      asgCreate('capD', 'cap@hotel', 1, 'hotel:0,sierra:0'),
      "DesiredCapacity 1 exceeds the domain's total cap of 0 (hotel:0,sierra:0).",
    );
  });

  it('within the caps, or with an unlimited (-1) site, any size is accepted', async () => {
    await ok(asgCreate('capD', 'cap@hotel', 3, 'hotel:1,sierra:2'));
    await ok(asgCreate('wide', 'cap@hotel', 50, 'hotel:1, sierra:-1'));
    await ok(asgCreate('empty', 'cap@hotel', 0, 'hotel:0'));
    await ok({
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'plain',
      LaunchConfigurationName: 'plain',
      MinSize: '0',
      MaxSize: '50',
      DesiredCapacity: '40',
      'AvailabilityZones.member.1': 'hotel',
    });
  });

  it('SetDesiredCapacity and UpdateAutoScalingGroup above the caps are refused; up to them accepted', async () => {
    const over = "DesiredCapacity 4 exceeds the domain's total cap of 3 (hotel:1,sierra:2).";
    await refused({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'capD', DesiredCapacity: '4' }, over);
    await refused({ Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: 'capD', MinSize: '4', MaxSize: '4' }, over);
    await refused(
      { Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: 'capD', MaxSize: '5', DesiredCapacity: '4' },
      over,
    );
    assert.equal(await desired('capD'), 3);
    await ok({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'capD', DesiredCapacity: '2' });
    await ok({ Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: 'capD', MinSize: '3', MaxSize: '3' });
    assert.equal(await desired('capD'), 3);
  });

  it('a clouds tag change that lowers the caps below the desired capacity is refused', async () => {
    const clouds = (value: string) => ({
      Action: 'CreateOrUpdateTags',
      'Tags.member.1.ResourceId': 'capD',
      'Tags.member.1.Key': 'clouds',
      'Tags.member.1.Value': value,
    });
    await refused(
      clouds('hotel:1,sierra:1'),
      "DesiredCapacity 3 exceeds the domain's total cap of 2 (hotel:1,sierra:1).",
    );
    assert.match(await describeGroup('capD'), /<Key>clouds<\/Key><Value>hotel:1,sierra:2<\/Value>/);
    await ok(clouds('hotel:3'));
    await ok(clouds('sierra:-1,hotel:0'));
    await ok(clouds('hotel:2,sierra:1'));
    // A plain group made a domain gets caps for the first time: the same rule.
    await refused(
      {
        Action: 'CreateOrUpdateTags',
        'Tags.member.1.ResourceId': 'plain',
        'Tags.member.1.Key': 'PHANTOM_DEFINITION',
        'Tags.member.1.Value': 'error_overflow_n_preserving',
        'Tags.member.2.ResourceId': 'plain',
        'Tags.member.2.Key': 'clouds',
        'Tags.member.2.Value': 'hotel:2',
      },
      "DesiredCapacity 40 exceeds the domain's total cap of 2 (hotel:2).",
    );
  });

  it('a domain already over its caps (stored before this rule) can still be lowered, retagged and shrunk', async () => {
    await ok(asgCreate('legacy', 'cap@hotel', 1, 'hotel:1'));
    const store = server.running.dataDir.store;
    const owner = (await store.getUserByName('carol'))!.id;
    const group = (await store.getGroup(owner, 'legacy'))!;
    await store.updateGroup({ ...group, minSize: 3, maxSize: 3, desiredCapacity: 3 });
    await store.putInstance({
      owner,
      groupName: 'legacy',
      instanceId: 'i-00000000000000aa',
      site: 'hotel',
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      launchConfigurationName: 'cap@hotel',
      protectedFromScaleIn: false,
      createdTime: new Date(Date.now() - 3_600_000),
    });
    await ok({ Action: 'CreateOrUpdateTags', 'Tags.member.1.ResourceId': 'legacy', 'Tags.member.1.Key': 'team' });
    await ok({
      Action: 'SuspendProcesses',
      AutoScalingGroupName: 'legacy',
      'ScalingProcesses.member.1': 'AZRebalance',
    });
    await ok({
      Action: 'TerminateInstanceInAutoScalingGroup',
      InstanceId: 'i-00000000000000aa',
      ShouldDecrementDesiredCapacity: 'true',
    });
    assert.equal(await desired('legacy'), 2);
    await refused(
      { Action: 'SetDesiredCapacity', AutoScalingGroupName: 'legacy', DesiredCapacity: '2' },
      "DesiredCapacity 2 exceeds the domain's total cap of 1 (hotel:1).",
    );
    await ok({ Action: 'SetDesiredCapacity', AutoScalingGroupName: 'legacy', DesiredCapacity: '1' });
  });
});

describe("a domain's clouds tag names its sites: AvailabilityZones are optional for it", () => {
  let server: TestServer;
  let creds: TestCredentials;
  before(async () => {
    server = await startTestServer();
    creds = await server.addUser('dave');
    for (const name of ['web@hotel', 'web@sierra'])
      assert.equal(
        (
          await call(server.url, creds, {
            Action: 'CreateLaunchConfiguration',
            LaunchConfigurationName: name,
            ImageId: 'i',
            InstanceType: 't',
          })
        ).status,
        200,
      );
  });
  after(() => server.close());

  it('CreateAutoScalingGroup of a domain without AvailabilityZones is accepted; its zones are its sites', async () => {
    const res = await call(server.url, creds, asgCreate('noZones', 'web@hotel', 2, 'hotel:1,sierra:1', []));
    assert.equal(res.status, 200, res.body);
    const listed = await call(server.url, creds, { Action: 'DescribeAutoScalingGroups' });
    assert.match(
      listed.body,
      /<AvailabilityZones><member>hotel<\/member><member>sierra<\/member><\/AvailabilityZones>/,
    );
  });

  it('a plain AWS group without AvailabilityZones or a subnet is still refused', async () => {
    const res = await call(server.url, creds, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'plainNoZones',
      LaunchConfigurationName: 'web@hotel',
      MinSize: '0',
      MaxSize: '1',
    });
    assert.equal(errorCode(res.body), 'ValidationError', res.body);
    assert.match(res.body, /At least one Availability Zone or VPC Subnet is required\./);
  });

  it('a domain without AvailabilityZones still needs a valid clouds tag', async () => {
    const params = asgCreate('noClouds', 'web@hotel', 1, 'hotel:1', []);
    delete params['Tags.member.2.Key'];
    delete params['Tags.member.2.Value'];
    delete params['Tags.member.2.ResourceId'];
    delete params['Tags.member.2.PropagateAtLaunch'];
    const res = await call(server.url, creds, params);
    assert.equal(errorCode(res.body), 'ValidationError', res.body);
    assert.match(res.body, /requires a clouds tag/);
  });
});
