/**
 * Parameters that take a group or launch configuration by name or ARN resolve an ARN exactly:
 * the caller's account, the stored resource's uuid and the right resource type, or "not found"
 * exactly as for an absent name — and nothing changes, for the caller or anyone else.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestCredentials, type TestServer } from '../support/harness.ts';
import { call, errorCode } from '../support/sign.ts';

type Kind = 'group' | 'lc';

/** One parameter of one action that addresses a resource, with the resource it targets in a fixture `s`. */
interface Case {
  action: string;
  kind: Kind;
  target: (s: string) => string;
  params: (ref: string, s: string) => Record<string, string>;
}

const group = (s: string) => `g-${s}`;
const CASES: Case[] = [
  {
    action: 'UpdateAutoScalingGroup',
    kind: 'group',
    target: group,
    params: (ref) => ({ AutoScalingGroupName: ref, MaxSize: '4' }),
  },
  {
    action: 'UpdateAutoScalingGroup',
    kind: 'lc',
    target: (s) => `alt-${s}`,
    params: (ref, s) => ({ AutoScalingGroupName: group(s), LaunchConfigurationName: ref }),
  },
  {
    action: 'CreateAutoScalingGroup',
    kind: 'lc',
    target: (s) => `lc-${s}`,
    params: (ref, s) => ({
      AutoScalingGroupName: `new-${s}`,
      LaunchConfigurationName: ref,
      MinSize: '0',
      MaxSize: '1',
      'AvailabilityZones.member.1': 'hotel',
    }),
  },
  {
    action: 'SetDesiredCapacity',
    kind: 'group',
    target: group,
    params: (ref) => ({ AutoScalingGroupName: ref, DesiredCapacity: '2' }),
  },
  { action: 'SuspendProcesses', kind: 'group', target: group, params: (ref) => ({ AutoScalingGroupName: ref }) },
  { action: 'ResumeProcesses', kind: 'group', target: group, params: (ref) => ({ AutoScalingGroupName: ref }) },
  {
    action: 'CreateOrUpdateTags',
    kind: 'group',
    target: group,
    params: (ref) => ({ 'Tags.member.1.ResourceId': ref, 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'x' }),
  },
  {
    action: 'DeleteTags',
    kind: 'group',
    target: group,
    params: (ref) => ({ 'Tags.member.1.ResourceId': ref, 'Tags.member.1.Key': 'keep' }),
  },
  { action: 'DeleteAutoScalingGroup', kind: 'group', target: group, params: (ref) => ({ AutoScalingGroupName: ref }) },
  {
    action: 'DeleteLaunchConfiguration',
    kind: 'lc',
    target: (s) => `alt-${s}`,
    params: (ref) => ({ LaunchConfigurationName: ref }),
  },
  {
    action: 'DescribeScalingActivities',
    kind: 'group',
    target: group,
    params: (ref) => ({ AutoScalingGroupName: ref }),
  },
];

/** The ways an ARN can fail to name the caller's resource, derived from its real ARN. */
const WRONG_ARNS: Record<string, (own: string, othersSameName: string) => string> = {
  "another account's ARN": (_own, others) => others,
  'own ARN with the account changed': (own) => own.replace(/:(\d{12}):/, ':000000000000:'),
  'bogus uuid': (own) => own.replace(/:[0-9a-f-]{36}:/, ':00000000-0000-4000-8000-000000000000:'),
  'wrong resource type': (own) =>
    own.includes(':autoScalingGroup:')
      ? own.replace(':autoScalingGroup:', ':launchConfiguration:')
      : own.replace(':launchConfiguration:', ':autoScalingGroup:'),
  'wrong name key': (own) =>
    own.includes('autoScalingGroupName/')
      ? own.replace('autoScalingGroupName/', 'launchConfigurationName/')
      : own.replace('launchConfigurationName/', 'autoScalingGroupName/'),
  'another service': (own) => own.replace(':autoscaling:', ':ec2:'),
};

describe('ARNs address exactly one resource: the caller own, by its uuid and type', () => {
  let server: TestServer;
  let alice: TestCredentials;
  let bob: TestCredentials;
  let fixtures = 0;
  before(async () => {
    server = await startTestServer();
    alice = await server.addUser('alice');
    bob = await server.addUser('bob');
  });
  after(() => server.close());

  const ok = async (creds: TestCredentials, params: Record<string, string>) => {
    const res = await call(server.url, creds, params);
    assert.equal(res.status, 200, res.body);
    return res.body;
  };
  /** A fresh fixture for `creds`: launch configurations lc-s, alt-s and group g-s (tag keep=1). */
  const setUp = async (creds: TestCredentials, s: string) => {
    for (const name of [`lc-${s}`, `alt-${s}`])
      await ok(creds, {
        Action: 'CreateLaunchConfiguration',
        LaunchConfigurationName: name,
        ImageId: 'i',
        InstanceType: 't',
      });
    await ok(creds, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: group(s),
      LaunchConfigurationName: `lc-${s}`,
      MinSize: '0',
      MaxSize: '3',
      DesiredCapacity: '1',
      'AvailabilityZones.member.1': 'hotel',
      'Tags.member.1.Key': 'keep',
      'Tags.member.1.Value': '1',
    });
  };
  const arnOf = async (creds: TestCredentials, kind: Kind, name: string) => {
    const body =
      kind === 'group'
        ? await ok(creds, { Action: 'DescribeAutoScalingGroups', 'AutoScalingGroupNames.member.1': name })
        : await ok(creds, { Action: 'DescribeLaunchConfigurations', 'LaunchConfigurationNames.member.1': name });
    const arn = /<(?:AutoScalingGroupARN|LaunchConfigurationARN)>([^<]+)</.exec(body)?.[1];
    assert.ok(arn, body);
    return arn;
  };
  /** Everything either user could observe. */
  const world = async () => {
    const views: string[] = [];
    for (const creds of [alice, bob])
      for (const Action of ['DescribeAutoScalingGroups', 'DescribeLaunchConfigurations', 'DescribeTags'])
        views.push(await ok(creds, { Action }).then((b) => b.replace(/<RequestId>[^<]+<\/RequestId>/, '')));
    return views;
  };
  const notFound = (kind: Kind, ref: string) =>
    kind === 'group'
      ? `AutoScalingGroup name not found - AutoScalingGroup '${ref}' not found`
      : `Launch configuration name not found - Launch configuration ${ref} not found`;

  for (const c of CASES) {
    const label = `${c.action} ${c.kind === 'group' ? 'AutoScalingGroupName/ResourceId' : 'LaunchConfigurationName'}`;
    it(`${label}: a wrong ARN is not found, like an absent name, and changes nothing`, async () => {
      const s = String(++fixtures);
      await setUp(alice, s);
      await setUp(bob, s);
      const own = await arnOf(alice, c.kind, c.target(s));
      const others = await arnOf(bob, c.kind, c.target(s));
      const absent = await call(server.url, alice, { Action: c.action, ...c.params(`absent-${s}`, s) });
      assert.equal(absent.status, 400, absent.body);
      assert.equal(errorCode(absent.body), 'ValidationError');
      const before = await world();
      for (const [how, wrong] of Object.entries(WRONG_ARNS)) {
        const ref = wrong(own, others);
        assert.notEqual(ref, own, how);
        const res = await call(server.url, alice, { Action: c.action, ...c.params(ref, s) });
        assert.equal(res.status, 400, `${how}: ${res.body}`);
        assert.equal(errorCode(res.body), 'ValidationError', how);
        assert.ok(res.body.includes(`<Message>${escapeXml(notFound(c.kind, ref))}</Message>`), `${how}: ${res.body}`);
      }
      assert.deepEqual(await world(), before, 'nothing changed');
      await ok(alice, { Action: c.action, ...c.params(own, s) });
    });
  }

  it('DescribeScalingActivities of a deleted group: not found, unless IncludeDeletedGroups (by name or ARN)', async () => {
    await setUp(alice, 'del');
    const arn = await arnOf(alice, 'group', group('del'));
    await ok(alice, { Action: 'DeleteAutoScalingGroup', AutoScalingGroupName: arn });
    for (const ref of [group('del'), arn]) {
      const gone = await call(server.url, alice, { Action: 'DescribeScalingActivities', AutoScalingGroupName: ref });
      assert.ok(gone.body.includes(escapeXml(notFound('group', ref))), gone.body);
      const included = { Action: 'DescribeScalingActivities', AutoScalingGroupName: ref, IncludeDeletedGroups: 'true' };
      assert.match(await ok(alice, included), /<Activities><\/Activities>/);
    }
  });

  it('a group or launch configuration cannot be named like an ARN (it could never be addressed by name)', async () => {
    const arnLike = 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u:autoScalingGroupName/g';
    const lc = await call(server.url, alice, {
      Action: 'CreateLaunchConfiguration',
      LaunchConfigurationName: arnLike,
      ImageId: 'i',
      InstanceType: 't',
    });
    assert.equal(errorCode(lc.body), 'ValidationError', lc.body);
    const g = await call(server.url, alice, {
      Action: 'CreateAutoScalingGroup',
      AutoScalingGroupName: arnLike,
      LaunchConfigurationName: 'lc-1',
      MinSize: '0',
      MaxSize: '0',
      'AvailabilityZones.member.1': 'hotel',
    });
    assert.equal(errorCode(g.body), 'ValidationError', g.body);
    assert.match(g.body, /reads as an ARN/);
  });
});

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}
