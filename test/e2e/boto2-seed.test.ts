/**
 * The seed's "Scripting with the REST API" walkthrough, run through the boto 2 sample scripts
 * (test/e2e/scripts) with Debian's boto 2.49 against the real `phantom server` binary — once
 * with boto's SigV4 and once with SigV2 (each as its own user, created with
 * `phantom user add --json` while the server runs), concurrently.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DescribeAutoScalingGroupsCommand, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { boto2Available, requireClient, type ProcessUser } from '../support/process.ts';
import { assertScriptOutput, boto2Error, boto2Script, serverWithClientHome } from './clients.ts';

const needBoto2 = requireClient('boto 2 (/usr/bin/python3 + python3-boto)', boto2Available());

describe('the seed walkthrough with the boto 2 sample scripts', { concurrency: true }, () => {
  const fixture = serverWithClientHome('phantom-boto2-');
  const home = fixture.home;

  for (const sigv2 of [false, true]) {
    const label = sigv2 ? 'SigV2' : 'SigV4';
    it(`runs the whole session (${label})`, needBoto2, async () => {
      const user: ProcessUser = await fixture.server.addUser(`seed-${label.toLowerCase()}`);
      const target = { url: fixture.server.url, creds: user };
      const script = (name: string, ...args: string[]) => boto2Script(home, target, sigv2, name, args);
      const sdk = fixture.server.sdk(user);

      // $ python lc_create.py testlc1@hotel hello-cloud   (and @sierra)
      assertScriptOutput(await script('lc_create.py', 'testlc1@hotel', 'hello-cloud'), '', 'lc_create testlc1@hotel');
      assertScriptOutput(await script('lc_create.py', 'testlc1@sierra', 'hello-cloud'), '', 'lc_create testlc1@sierra');

      // $ python lc_list.py
      assertScriptOutput(await script('lc_list.py'), 'testlc1@hotel\ntestlc1@sierra\n', 'lc_list');

      // What boto 2 sent was stored as the script meant it.
      const lcs = (await sdk.send(new DescribeLaunchConfigurationsCommand({}))).LaunchConfigurations ?? [];
      assert.deepEqual(
        lcs.map((lc) => ({
          name: lc.LaunchConfigurationName,
          image: lc.ImageId,
          type: lc.InstanceType,
          key: lc.KeyName,
          groups: lc.SecurityGroups,
          monitoring: lc.InstanceMonitoring?.Enabled,
        })),
        ['testlc1@hotel', 'testlc1@sierra'].map((name) => ({
          name,
          image: 'hello-cloud',
          type: 'm1.small',
          key: 'phantomkey',
          groups: ['default'],
          monitoring: false,
        })),
      );

      // Creating the same launch configuration again is a BotoServerError 400 AlreadyExists.
      assert.deepEqual(boto2Error(await script('lc_create.py', 'testlc1@hotel', 'hello-cloud')), {
        status: 400,
        code: 'AlreadyExists',
        message:
          'Launch Configuration by this name already exists - A launch configuration already exists with the name testlc1@hotel',
      });

      // A domain on a launch configuration that does not exist is refused by the script itself.
      const noLc = await script('asg_create.py', 'testDomain1', 'nosuchlc@hotel', '3', 'hotel:1', 'sierra:2');
      assert.deepEqual(
        { code: noLc.code, stdout: noLc.stdout, stderr: noLc.stderr },
        { code: 1, stdout: 'No such launch configuration\n', stderr: '' },
      );

      // $ python asg_create.py testDomain1 testlc1@hotel 3 hotel:1 sierra:2
      assertScriptOutput(
        await script('asg_create.py', 'testDomain1', 'testlc1@hotel', '3', 'hotel:1', 'sierra:2'),
        'using LaunchConfiguration:testlc1@hotel\n',
        'asg_create',
      );

      // The tags boto 2 encoded (Tags.member.N.*) arrived intact; the zones are the domain's clouds.
      const created =
        (await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['testDomain1'] })))
          .AutoScalingGroups ?? [];
      assert.equal(created.length, 1);
      const group = created[0]!;
      assert.deepEqual(
        {
          name: group.AutoScalingGroupName,
          lc: group.LaunchConfigurationName,
          min: group.MinSize,
          max: group.MaxSize,
          desired: group.DesiredCapacity,
          zones: group.AvailabilityZones,
        },
        { name: 'testDomain1', lc: 'testlc1', min: 3, max: 3, desired: 3, zones: ['hotel', 'sierra'] },
      );
      assert.deepEqual(
        (group.Tags ?? []).map((t) => [t.ResourceId, t.ResourceType, t.Key, t.Value, t.PropagateAtLaunch]),
        [
          ['testDomain1', 'auto-scaling-group', 'PHANTOM_DEFINITION', 'error_overflow_n_preserving', false],
          ['testDomain1', 'auto-scaling-group', 'clouds', 'hotel:1,sierra:2', false],
          ['testDomain1', 'auto-scaling-group', 'minimum_vms', '3', false],
        ],
      );

      // $ python asg_list.py  (instances come from the controller; only the header is checked)
      const listed = await script('asg_list.py');
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(listed.stderr, '');
      const lines = listed.stdout.split('\n');
      assert.deepEqual(
        lines.slice(0, 4),
        ['testDomain1', '\ttestlc1 : 3', '\tInstances:', '\t---------'],
        listed.stdout,
      );
      assert.equal(lines.at(-1), '', 'output ends with a newline');
      for (const line of lines.slice(4, -1))
        assert.match(line, /^\t\t\S+ : \S/, `instance line ${JSON.stringify(line)}`);

      // $ python asg_alter.py testDomain1 2   → SetDesiredCapacity pins min = max = 2
      assertScriptOutput(await script('asg_alter.py', 'testDomain1', '2'), '', 'asg_alter');
      const altered = await script('asg_list.py');
      assert.equal(altered.code, 0, altered.stderr);
      assert.deepEqual(
        altered.stdout.split('\n').slice(0, 4),
        ['testDomain1', '\ttestlc1 : 2', '\tInstances:', '\t---------'],
        altered.stdout,
      );
      const after2 = (await sdk.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['testDomain1'] })))
        .AutoScalingGroups?.[0];
      assert.deepEqual([after2?.MinSize, after2?.MaxSize, after2?.DesiredCapacity], [2, 2, 2]);

      // Altering a domain that does not exist is a BotoServerError 400 ValidationError.
      assert.deepEqual(boto2Error(await script('asg_alter.py', 'noSuchDomain', '2')), {
        status: 400,
        code: 'ValidationError',
        message: "AutoScalingGroup name not found - AutoScalingGroup 'noSuchDomain' not found",
      });

      // $ python asg_delete.py testDomain1
      assertScriptOutput(
        await script('asg_delete.py', 'testDomain1'),
        'deleting AutoScaleGroup<testDomain1>\n',
        'asg_delete',
      );

      // $ python lc_delete.py testlc1@hotel ; python lc_delete.py testlc1@sierra
      assertScriptOutput(await script('lc_delete.py', 'testlc1@hotel'), '', 'lc_delete testlc1@hotel');
      assertScriptOutput(await script('lc_delete.py', 'testlc1@sierra'), '', 'lc_delete testlc1@sierra');
      assertScriptOutput(await script('lc_list.py'), '', 'lc_list after cleanup');
    });
  }
});
