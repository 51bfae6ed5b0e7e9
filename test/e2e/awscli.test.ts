/**
 * The launch-configuration → domain lifecycle through Debian's aws-cli v2 (/usr/bin/aws,
 * --endpoint-url, env credentials, --output json) against the real `phantom server` binary,
 * its error reporting (exit 254, "An error occurred (Code) ...") and its pagination over 120
 * groups. aws-cli costs about a second per call, so independent calls run concurrently.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DescribeAutoScalingGroupsCommand, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { awsCliAvailable, REPO_ROOT, requireClient } from '../support/process.ts';
import {
  USER_DATA,
  USER_DATA_B64,
  awsCli,
  awsError,
  awsOk,
  createPlainGroups,
  type Target,
  serverWithClientHome,
} from './clients.ts';

const needAws = requireClient('aws-cli v2 (/usr/bin/aws)', awsCliAvailable());

interface LaunchConfiguration {
  LaunchConfigurationName: string;
  ImageId: string;
  InstanceType: string;
  KeyName?: string;
  SecurityGroups: string[];
  UserData?: string;
  CreatedTime: string;
}
interface Group {
  AutoScalingGroupName: string;
  LaunchConfigurationName: string;
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
  DefaultCooldown: number;
  AvailabilityZones: string[];
  HealthCheckType: string;
  Tags: Array<{ ResourceId: string; ResourceType: string; Key: string; Value: string; PropagateAtLaunch: boolean }>;
  Status?: string;
}
interface Groups {
  AutoScalingGroups: Group[];
  NextToken?: string;
}

const DOMAIN_TAGS = [
  { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
  { Key: 'clouds', Value: 'hotel:1,sierra:2' },
  { Key: 'minimum_vms', Value: '3' },
  { Key: 'owner', Value: 'team a+b/c=d' },
].map((t) => ({ ResourceId: 'dom1', ResourceType: 'auto-scaling-group', ...t, PropagateAtLaunch: false }));

const pick = (g: Group) => ({
  AutoScalingGroupName: g.AutoScalingGroupName,
  LaunchConfigurationName: g.LaunchConfigurationName,
  MinSize: g.MinSize,
  MaxSize: g.MaxSize,
  DesiredCapacity: g.DesiredCapacity,
  DefaultCooldown: g.DefaultCooldown,
  AvailabilityZones: g.AvailabilityZones,
  HealthCheckType: g.HealthCheckType,
  Tags: g.Tags,
});

/**
 * The aws-cli commands of the README block after `marker`, as argument lists without the leading
 * `aws autoscaling` and without `--endpoint-url URL` (the test adds its own). Handles `\` line
 * continuations and single-quoted words, all the README uses.
 */
function readmeAwsCommands(marker: string): string[][] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(marker)))?.[1];
  assert.ok(readme.includes(marker) && block, `README.md has no sh block after ${marker}`);
  return block
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      assert.deepEqual(words.slice(0, 2), ['aws', 'autoscaling'], line);
      const at = words.indexOf('--endpoint-url');
      assert.equal(words[at + 1], 'http://127.0.0.1:8445', line);
      return [...words.slice(2, at), ...words.slice(at + 2)];
    });
}

describe('aws-cli v2 against the phantom binary', { concurrency: true }, () => {
  const fixture = serverWithClientHome('phantom-awscli-');
  const home = fixture.home;

  it('runs the lifecycle and reports errors with exit 254', needAws, async () => {
    const target: Target = { url: fixture.server.url, creds: await fixture.server.addUser('cli') };
    const sdk = fixture.server.sdk(target.creds);
    const aws = (...args: string[]) => awsCli(home, target, args);
    const createLc = (name: string) =>
      aws(
        'create-launch-configuration',
        '--launch-configuration-name',
        name,
        '--image-id',
        'hello-cloud',
        '--instance-type',
        'm1.small',
        '--key-name',
        'phantomkey',
        '--security-groups',
        'default',
        '--user-data',
        USER_DATA,
      );

    const [hotel, sierra] = await Promise.all([createLc('web@hotel'), createLc('web@sierra')]);
    assert.equal(awsOk('create web@hotel', hotel), undefined, 'create-launch-configuration prints nothing');
    assert.equal(awsOk('create web@sierra', sierra), undefined);

    const [duplicate, lcs] = await Promise.all([createLc('web@hotel'), aws('describe-launch-configurations')]);
    assert.deepEqual(awsError('duplicate LC', duplicate, 'CreateLaunchConfiguration'), {
      code: 'AlreadyExists',
      message:
        'Launch Configuration by this name already exists - A launch configuration already exists with the name web@hotel',
    });
    const described = awsOk<{ LaunchConfigurations: LaunchConfiguration[] }>(
      'describe-launch-configurations',
      lcs,
    ).LaunchConfigurations;
    assert.deepEqual(
      described.map((lc) => [
        lc.LaunchConfigurationName,
        lc.ImageId,
        lc.InstanceType,
        lc.KeyName,
        lc.SecurityGroups,
        lc.UserData,
      ]),
      ['web@hotel', 'web@sierra'].map((n) => [n, 'hello-cloud', 'm1.small', 'phantomkey', ['default'], USER_DATA_B64]),
      'user data round-trips (aws-cli base64-encodes it; it comes back base64)',
    );

    const created = await aws(
      'create-auto-scaling-group',
      '--auto-scaling-group-name',
      'dom1',
      '--launch-configuration-name',
      'web@hotel',
      '--min-size',
      '3',
      '--max-size',
      '3',
      '--availability-zones',
      'us-east-1',
      '--tags',
      JSON.stringify(DOMAIN_TAGS),
    );
    assert.equal(awsOk('create-auto-scaling-group', created), undefined);

    const first = awsOk<Groups>(
      'describe dom1',
      await aws('describe-auto-scaling-groups', '--auto-scaling-group-names', 'dom1'),
    );
    assert.equal(first.AutoScalingGroups.length, 1);
    assert.deepEqual(pick(first.AutoScalingGroups[0]!), {
      AutoScalingGroupName: 'dom1',
      LaunchConfigurationName: 'web',
      MinSize: 3,
      MaxSize: 3,
      DesiredCapacity: 3,
      DefaultCooldown: 300,
      AvailabilityZones: ['hotel', 'sierra'],
      HealthCheckType: 'EC2',
      Tags: DOMAIN_TAGS,
    });

    assert.equal(
      awsOk(
        'update',
        await aws(
          'update-auto-scaling-group',
          '--auto-scaling-group-name',
          'dom1',
          '--max-size',
          '5',
          '--default-cooldown',
          '60',
        ),
      ),
      undefined,
    );
    // (checked with the JS SDK: a read that costs no aws-cli start-up)
    const updated = (await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['dom1'] })))
      .AutoScalingGroups?.[0];
    assert.deepEqual(
      [updated?.MinSize, updated?.MaxSize, updated?.DesiredCapacity, updated?.DefaultCooldown],
      [3, 5, 3, 60],
    );

    assert.equal(
      awsOk(
        'set-desired-capacity',
        await aws('set-desired-capacity', '--auto-scaling-group-name', 'dom1', '--desired-capacity', '2'),
      ),
      undefined,
    );

    const [afterSet, activities, limits, inUse] = await Promise.all([
      aws('describe-auto-scaling-groups', '--auto-scaling-group-names', 'dom1'),
      aws('describe-scaling-activities', '--auto-scaling-group-name', 'dom1'),
      aws('describe-account-limits'),
      aws('delete-launch-configuration', '--launch-configuration-name', 'web@hotel'),
    ]);
    // SetDesiredCapacity on a Phantom domain pins min = max = desired.
    assert.deepEqual(pick(awsOk<Groups>('describe after set', afterSet).AutoScalingGroups[0]!), {
      ...pick(first.AutoScalingGroups[0]!),
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      DefaultCooldown: 60,
    });
    const acts = awsOk<{ Activities: Array<{ AutoScalingGroupName: string; ActivityId: string }> }>(
      'describe-scaling-activities',
      activities,
    ).Activities;
    assert.ok(Array.isArray(acts));
    for (const a of acts) assert.equal(a.AutoScalingGroupName, 'dom1');
    assert.deepEqual(awsOk('describe-account-limits', limits), {
      MaxNumberOfAutoScalingGroups: 500,
      MaxNumberOfLaunchConfigurations: 200,
      NumberOfAutoScalingGroups: 1,
      NumberOfLaunchConfigurations: 2,
    });
    assert.deepEqual(awsError('LC in use', inUse, 'DeleteLaunchConfiguration'), {
      code: 'ResourceInUse',
      message: 'Cannot delete launch configuration web@hotel because it is attached to AutoScalingGroup dom1',
    });

    assert.equal(
      awsOk('delete-auto-scaling-group', await aws('delete-auto-scaling-group', '--auto-scaling-group-name', 'dom1')),
      undefined,
    );
    const [delHotel, delSierra] = await Promise.all([
      aws('delete-launch-configuration', '--launch-configuration-name', 'web@hotel'),
      aws('delete-launch-configuration', '--launch-configuration-name', 'web@sierra'),
    ]);
    assert.equal(awsOk('delete web@hotel', delHotel), undefined);
    assert.equal(awsOk('delete web@sierra', delSierra), undefined);
    // (the end state is read with the JS SDK: no aws-cli start-up)
    const remaining = (await sdk.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    assert.ok(
      remaining.length === 0 || (remaining.length === 1 && remaining[0]!.Status === 'Delete in progress'),
      JSON.stringify(remaining),
    );
    assert.deepEqual((await sdk.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations, []);
  });

  it("runs the README's domain example as written (--tags as JSON)", needAws, async () => {
    const target: Target = { url: fixture.server.url, creds: await fixture.server.addUser('readme') };
    for (const args of readmeAwsCommands('<!-- awscli-domain-example -->'))
      awsOk(args.join(' '), await awsCli(home, target, args));
    const [web] =
      (await fixture.server.sdk(target.creds).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
    assert.deepEqual(
      [web?.AutoScalingGroupName, web?.DesiredCapacity, web?.Tags?.find((t) => t.Key === 'clouds')?.Value],
      ['web', 3, 'hotel:1,sierra:2'],
    );
  });

  it('pages through 120 groups (--page-size 50, and raw pages with --max-records)', needAws, async () => {
    const user = await fixture.server.addUser('cli-pager');
    const names = await createPlainGroups(fixture.server.sdk(user), 120);
    const target: Target = { url: fixture.server.url, creds: user };
    const aws = (...args: string[]) => awsCli(home, target, args);
    const query = ['--query', '{names: AutoScalingGroups[].AutoScalingGroupName, next: NextToken}'];

    const [all, page1] = await Promise.all([
      // aws-cli follows NextToken itself, 50 groups per request.
      aws('describe-auto-scaling-groups', '--page-size', '50', ...query),
      // Giving --max-records turns aws-cli's pagination off: one raw page.
      aws('describe-auto-scaling-groups', '--max-records', '50', ...query),
    ]);
    const everything = awsOk<{ names: string[]; next: string | null }>('--page-size 50', all);
    assert.deepEqual(everything.names, names);
    assert.equal(everything.next, null);

    const first = awsOk<{ names: string[]; next: string | null }>('--max-records 50', page1);
    assert.deepEqual(first.names, names.slice(0, 50));
    assert.ok(typeof first.next === 'string' && first.next.length > 0, 'a single page carries NextToken');

    const last = awsOk<{ names: string[]; next: string | null }>(
      'last page',
      await aws('describe-auto-scaling-groups', '--max-records', '100', '--next-token', first.next, ...query),
    );
    assert.deepEqual(last.names, names.slice(50));
    assert.equal(last.next, null, 'the last page carries no NextToken');
  });
});
