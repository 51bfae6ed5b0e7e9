/**
 * Hostile input on the paths that address groups and launch configurations by name or ARN,
 * and on a domain's caps and zones: every request gets an AWS error (never a 500), and
 * nothing anyone can observe changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

describe('hostile names, ARNs, caps and zones get AWS errors and change nothing', () => {
  let server: TestServer;
  let creds: TestCredentials;
  let groupArn: string;
  let lcArn: string;
  before(async () => {
    server = await startTestServer();
    creds = await server.addUser('mallory');
    for (const name of ['web@hotel', 'web@sierra'])
      await ok({ Action: 'CreateLaunchConfiguration', LaunchConfigurationName: name, ImageId: 'i', InstanceType: 't' });
    await ok({
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'g',
      LaunchConfigurationName: 'web@hotel',
      MinSize: '2',
      MaxSize: '2',
      'Tags.member.1.Key': 'PHANTOM_DEFINITION',
      'Tags.member.1.Value': 'error_overflow_n_preserving',
      'Tags.member.2.Key': 'clouds',
      'Tags.member.2.Value': 'hotel:1,sierra:1',
    });
    const groups = await ok({ Action: 'DescribeAutoScalingGroups' });
    groupArn = /<AutoScalingGroupARN>([^<]+)</.exec(groups)![1]!;
    const lcs = await ok({ Action: 'DescribeLaunchConfigurations', 'LaunchConfigurationNames.member.1': 'web@sierra' });
    lcArn = /<LaunchConfigurationARN>([^<]+)</.exec(lcs)![1]!;
  });
  after(() => server.close());

  async function ok(params: Record<string, string>): Promise<string> {
    const res = await call(server.url, creds, params);
    assert.equal(res.status, 200, res.body);
    return res.body;
  }
  const expectError = async (params: Record<string, string>, status: number, code: string, label: string) => {
    const res = await call(server.url, creds, params);
    assert.equal(res.status, status, `${label}: ${res.body}`);
    assert.equal(errorCode(res.body), code, label);
    assert.match(
      res.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse xmlns=[^>]+><Error><Type>Sender<\/Type>/,
    );
    assert.match(res.requestId ?? '', /^[0-9a-f-]{36}$/);
  };
  const world = async () =>
    Promise.all(
      ['DescribeAutoScalingGroups', 'DescribeLaunchConfigurations', 'DescribeTags'].map(async (Action) =>
        (await ok({ Action })).replace(/<RequestId>[^<]+<\/RequestId>/, ''),
      ),
    );
  /** Every parameter that takes a group (kind g) or launch configuration (kind l) by name or ARN. */
  const uses = (ref: string): Array<[string, Record<string, string>]> => [
    ['SetDesiredCapacity', { Action: 'SetDesiredCapacity', AutoScalingGroupName: ref, DesiredCapacity: '1' }],
    ['UpdateAutoScalingGroup', { Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: ref, MaxSize: '2' }],
    ['DeleteAutoScalingGroup', { Action: 'DeleteAutoScalingGroup', AutoScalingGroupName: ref, ForceDelete: 'true' }],
    ['SuspendProcesses', { Action: 'SuspendProcesses', AutoScalingGroupName: ref }],
    ['CreateOrUpdateTags', { Action: 'CreateOrUpdateTags', 'Tags.member.1.ResourceId': ref, 'Tags.member.1.Key': 'k' }],
    ['DeleteTags', { Action: 'DeleteTags', 'Tags.member.1.ResourceId': ref, 'Tags.member.1.Key': 'clouds' }],
    ['DescribeScalingActivities', { Action: 'DescribeScalingActivities', AutoScalingGroupName: ref }],
    ['DeleteLaunchConfiguration', { Action: 'DeleteLaunchConfiguration', LaunchConfigurationName: ref }],
    [
      'UpdateAutoScalingGroup LC',
      { Action: 'UpdateAutoScalingGroup', AutoScalingGroupName: 'g', LaunchConfigurationName: ref },
    ],
  ];

  it('malformed, truncated, padded and look-alike ARNs are "not found" (ValidationError), never a 500', async () => {
    const before = await world();
    const base = groupArn.slice(0, groupArn.lastIndexOf('/') + 1);
    const hostile = [
      'arn:',
      'arn:::::::/',
      base, // no name
      `${groupArn} `,
      ` ${groupArn}`,
      `${groupArn}\n`,
      groupArn.toUpperCase(),
      `${groupArn}:autoScalingGroupName/g`,
      groupArn.replace(/\/g$/, '/../g'),
      `${base}g\u2603`,
      `${base}${'g'.repeat(1600 - base.length)}`, // the longest a name-or-ARN may be
      lcArn.replace('web@sierra', 'g'),
      groupArn.replace(/:[0-9a-f-]{36}:/, '::'),
      groupArn.replace(/:[0-9a-f-]{36}:/, ':*:'),
      '__proto__',
      'constructor',
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*',
    ];
    for (const ref of hostile)
      for (const [label, params] of uses(ref))
        await expectError(params, 400, 'ValidationError', `${label} ${JSON.stringify(ref)}`);
    assert.deepEqual(await world(), before);
  });

  it('an ARN longer than 1600 characters or holding a control character is refused by the input shape', async () => {
    const base = groupArn.slice(0, groupArn.lastIndexOf('/') + 1);
    for (const ref of [`${base}${'g'.repeat(1601 - base.length)}`, `${groupArn}\u0000`, `${groupArn}\u0008`])
      for (const [label, params] of uses(ref))
        await expectError(params, 400, 'ValidationError', `${label} ${JSON.stringify(ref.slice(-12))}`);
  });

  it('many tags naming the same group by ARN and name are applied once, as one change', async () => {
    const tags: Record<string, string> = {};
    for (let i = 1; i <= 200; i++) {
      tags[`Tags.member.${i}.ResourceId`] = i % 2 ? groupArn : 'g';
      tags[`Tags.member.${i}.Key`] = `k${i % 40}`;
    }
    await ok({ Action: 'CreateOrUpdateTags', ...tags });
    const listed = await ok({ Action: 'DescribeTags', MaxRecords: '100' });
    assert.equal(listed.match(/<member><ResourceId>g<\/ResourceId>/g)?.length, 42);
    const remove: Record<string, string> = {};
    for (let i = 1; i <= 40; i++) {
      remove[`Tags.member.${i}.ResourceId`] = i % 2 ? groupArn : 'g';
      remove[`Tags.member.${i}.Key`] = `k${i - 1}`;
    }
    await ok({ Action: 'DeleteTags', ...remove });
    assert.equal((await ok({ Action: 'DescribeTags' })).match(/<member><ResourceId>g<\/ResourceId>/g)?.length, 2);
  });

  it('odd clouds values and sizes against the caps are refused with ValidationError', async () => {
    const before = await world();
    const retag = (value: string) => ({
      Action: 'CreateOrUpdateTags',
      'Tags.member.1.ResourceId': groupArn,
      'Tags.member.1.Key': 'clouds',
      'Tags.member.1.Value': value,
    });
    for (const value of [
      'hotel:1',
      'hotel:00001',
      'hotel:0,sierra:1',
      'hotel:1,hotel:1',
      'hotel:-2',
      'hotel:1e3',
      'hotel:0x10',
      ':',
      '',
    ])
      await expectError(retag(value), 400, 'ValidationError', `clouds=${value}`);
    for (const n of ['3', '500'])
      await expectError(
        { Action: 'SetDesiredCapacity', AutoScalingGroupName: groupArn, DesiredCapacity: n },
        400,
        'ValidationError',
        `desired ${n}`,
      );
    for (const n of ['-1', '2147483648', '1.5', '', ' 1'])
      await expectError(
        { Action: 'SetDesiredCapacity', AutoScalingGroupName: 'g', DesiredCapacity: n },
        400,
        'ValidationError',
        `desired ${JSON.stringify(n)}`,
      );
    assert.deepEqual(await world(), before);
  });

  it('a group without zones is a domain only with a real PHANTOM_DEFINITION tag', async () => {
    const before = await world();
    const noZones = (key: string, value: string, extra: Record<string, string> = {}) => ({
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: 'z',
      LaunchConfigurationName: 'web@hotel',
      MinSize: '1',
      MaxSize: '1',
      'Tags.member.1.Key': key,
      'Tags.member.1.Value': value,
      'Tags.member.2.Key': 'clouds',
      'Tags.member.2.Value': 'hotel:1',
      ...extra,
    });
    for (const params of [
      noZones('phantom_definition', 'error_overflow_n_preserving'),
      noZones('PHANTOM_DEFINITION ', 'error_overflow_n_preserving'),
      noZones('PHANTOM_DEFINITION', 'nonsense'),
      noZones('PHANTOM_DEFINITION', ''),
      noZones('PHANTOM_DEFINITION', 'error_overflow_n_preserving', { VPCZoneIdentifier: '' }),
      noZones('PHANTOM_DEFINITION', 'error_overflow_n_preserving', { 'Tags.member.2.Value': 'nowhere:1' }),
    ])
      await expectError(params, 400, 'ValidationError', JSON.stringify(params['Tags.member.1.Key']));
    assert.deepEqual(await world(), before);
  });
});
