/**
 * `phantom site add|list|remove` against a running `phantom server`: an ec2 site added from
 * the CLI, pointing at a `phantom sim-cloud` process, is picked up without a restart; a domain
 * on it launches instances in that cloud; removal is refused while the domain uses the site.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { eventually } from '../support/eventually.ts';
import {
  freePort,
  PHANTOM_BIN,
  REPO_ROOT,
  scratchDir,
  startPhantom,
  type CommandResult,
  type PhantomProcess,
} from '../support/process.ts';

const DOMAIN_TAGS = [
  { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
  { Key: 'clouds', Value: 'india:2' },
];

describe('phantom site add|list|remove against a running server', () => {
  const scratch = scratchDir('phantom-site-cli-');
  let cloud: ChildProcess;
  let cloudUrl: string;
  let server: PhantomProcess;

  const ok = (r: CommandResult): CommandResult => {
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}${r.stdout}`);
    return r;
  };
  const fails = (r: CommandResult, pattern: RegExp): void => {
    assert.equal(r.code, 1, `expected exit 1, got ${r.code}: ${r.stdout}`);
    assert.match(r.stderr, pattern);
  };
  const siteList = async () =>
    JSON.parse(ok(await server.cli(['site', 'list', '--json'])).stdout) as Array<{
      name: string;
      driver: string;
      source: string;
      settings: Record<string, unknown>;
    }>;
  /** Instances of the domain in the sim-cloud that are not terminated, by state. */
  const cloudInstances = async (): Promise<string[]> => {
    const ec2 = new EC2Client({
      endpoint: cloudUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDSIMCLOUD', secretAccessKey: 'sim' },
      maxAttempts: 1,
    });
    const states: string[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2 }, {})) {
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.State?.Name !== 'terminated') states.push(i.State?.Name ?? '?');
    }
    ec2.destroy();
    return states;
  };

  before(async () => {
    const port = await freePort();
    cloudUrl = `http://127.0.0.1:${port}`;
    cloud = spawn(
      PHANTOM_BIN,
      [
        'sim-cloud',
        '--listen',
        `127.0.0.1:${port}`,
        '--state',
        join(scratch.dir, 'india.json'),
        '--site',
        'india',
        '--boot-ms',
        '0',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let cloudErr = '';
    cloud.stderr!.on('data', (c: Buffer) => (cloudErr += c.toString('utf8')));
    await eventually('the sim-cloud answering', async () => {
      if (cloud.exitCode !== null)
        throw new Error(`phantom sim-cloud exited ${cloud.exitCode}: ${cloudErr.slice(0, 2000)}`);
      return (await fetch(cloudUrl)).status > 0 ? true : undefined;
    });
    server = await startPhantom({
      env: { PHANTOM_RECONCILE_INTERVAL_MS: '200', PHANTOM_BACKOFF_INITIAL_MS: '200', PHANTOM_BACKOFF_MAX_MS: '400' },
    });
  });

  after(async () => {
    await server?.stop();
    cloud?.kill('SIGTERM');
    scratch.remove();
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const before = await siteList();
    fails(
      await server.cli(['site', 'add', 'india', '--driver', 'vmware']),
      /phantom: Site india: unknown driver "vmware"; expected one of: sim, ec2, openstack/,
    );
    fails(
      await server.cli([
        'site',
        'add',
        'india',
        '--driver',
        'ec2',
        '--set',
        'region=us-east-1',
        '--set',
        'colour=blue',
      ]),
      /--set colour is not an ec2 site setting/,
    );
    fails(await server.cli(['site', 'add', 'india', '--driver', 'ec2']), /--set region is required/);
    fails(await server.cli(['site', 'add', 'india', '--driver', 'sim', '--set', 'bootMs']), /expected KEY=VALUE/);
    fails(
      await server.cli(['site', 'add', 'hotel', '--driver', 'sim']),
      /Site hotel is a default site \(there is no PHANTOM_CONFIG\)/,
    );
    fails(await server.cli(['site', 'remove', 'sierra']), /Site sierra is a default site/);
    fails(await server.cli(['site', 'remove', 'nowhere']), /No site nowhere was added/);
    assert.equal((await server.cli(['site', 'add', 'india'])).code, 2, 'a missing --driver is a usage error');
    assert.deepEqual(await siteList(), before);
    assert.deepEqual(
      before.map((s) => [s.name, s.source]),
      [
        ['hotel', 'default'],
        ['sierra', 'default'],
      ],
    );
  });

  it('adds an ec2 site the running server uses at once: a domain on it launches in that cloud', async () => {
    const client = server.sdk(server.admin);
    await assert.rejects(
      client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: 'web@india',
          ImageId: 'ami-1',
          InstanceType: 'm1.small',
        }),
      ),
      /Unknown site 'india'/,
    );
    const added = ok(
      await server.cli([
        'site',
        'add',
        'india',
        '--driver',
        'ec2',
        '--set',
        `endpoint=${cloudUrl}`,
        '--set',
        'region=us-east-1',
        '--set',
        'requestTimeoutMs=5000',
      ]),
    );
    assert.equal(added.stdout.trim(), 'site india added');
    ok(
      await server.cli([
        'credentials',
        'set',
        'india',
        '--user',
        'admin',
        '--access-key',
        'AKIDSIMCLOUD',
        '--secret-key',
        'sim',
      ]),
    );
    await eventually(
      'the server knowing site india',
      async () => {
        await client.send(
          new CreateLaunchConfigurationCommand({
            LaunchConfigurationName: 'web@india',
            ImageId: 'ami-1',
            InstanceType: 'm1.small',
          }),
        );
        return true;
      },
      5000,
    );
    await client.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'dom',
        LaunchConfigurationName: 'web@india',
        MinSize: 2,
        MaxSize: 2,
        AvailabilityZones: ['us-east-1'],
        Tags: DOMAIN_TAGS,
      }),
    );
    const states = await eventually('two running instances in the sim-cloud', async () => {
      const now = await cloudInstances();
      return now.length === 2 && now.every((s) => s === 'running') ? now : undefined;
    });
    assert.deepEqual(states, ['running', 'running']);
    const india = (await siteList()).find((s) => s.name === 'india');
    assert.deepEqual(india, {
      name: 'india',
      driver: 'ec2',
      source: 'cli',
      settings: { region: 'us-east-1', endpoint: cloudUrl, requestTimeoutMs: 5000 },
    });
  });

  it('refuses to remove the site while the domain uses it; --force removes it; re-adding says updated', async () => {
    fails(await server.cli(['site', 'remove', 'india']), /Site india is in use by group admin\/dom; .*--force/);
    assert.ok(
      (await siteList()).some((s) => s.name === 'india'),
      'still there',
    );
    const forced = ok(await server.cli(['site', 'remove', 'india', '--force']));
    assert.match(forced.stdout, /site india removed \(still named by admin\/dom\)/);
    assert.deepEqual(
      (await siteList()).map((s) => s.name),
      ['hotel', 'sierra'],
    );
    // Back again (first a bad setting, which leaves nothing behind), then replaced in place.
    fails(
      await server.cli([
        'site',
        'add',
        'india',
        '--driver',
        'ec2',
        '--set',
        'region=us-east-1',
        '--set',
        'endpoint=not a url',
      ]),
      /--set endpoint must be an http\(s\) URL/,
    );
    assert.equal(
      ok(
        await server.cli([
          'site',
          'add',
          'india',
          '--driver',
          'ec2',
          '--set',
          `endpoint=${cloudUrl}`,
          '--set',
          'region=us-east-1',
        ]),
      ).stdout.trim(),
      'site india added',
    );
    assert.equal(
      ok(
        await server.cli([
          'site',
          'add',
          'india',
          '--driver',
          'ec2',
          '--set',
          `endpoint=${cloudUrl}`,
          '--set',
          'region=us-east-1',
          '--set',
          'requestTimeoutMs=4000',
        ]),
      ).stdout.trim(),
      'site india updated',
    );
  });

  it('removes the site without --force once the domain is deleted', async () => {
    const client = server.sdk(server.admin);
    await eventually(
      'the domain deleted',
      async () => {
        await client.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'dom' }));
        return true;
      },
      5000,
    );
    await eventually('the domain gone and its instances terminated', async () => {
      const groups = (await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
      return groups.length === 0 && (await cloudInstances()).length === 0 ? true : undefined;
    });
    assert.equal(ok(await server.cli(['site', 'remove', 'india'])).stdout.trim(), 'site india removed');
    assert.deepEqual(
      (await siteList()).map((s) => [s.name, s.source]),
      [
        ['hotel', 'default'],
        ['sierra', 'default'],
      ],
    );
  });
});

describe('phantom site with a PHANTOM_CONFIG file', () => {
  const scratch = scratchDir('phantom-site-config-');
  let server: PhantomProcess;
  before(async () => {
    const file = join(scratch.dir, 'sites.yaml');
    writeFileSync(file, 'sites:\n  hotel:\n    driver: sim\n    bootMs: 0\n');
    server = await startPhantom({ env: { PHANTOM_CONFIG: file, PHANTOM_CONTROLLER: 'off' } });
  });
  after(async () => {
    await server?.stop();
    scratch.remove();
  });

  it('refuses to add or remove a config-file site, naming PHANTOM_CONFIG; lists sources', async () => {
    const add = await server.cli(['site', 'add', 'hotel', '--driver', 'sim']);
    assert.equal(add.code, 1);
    assert.match(
      add.stderr,
      /Site hotel is defined in PHANTOM_CONFIG \(.*sites\.yaml\); it cannot be added or changed from the CLI/,
    );
    const remove = await server.cli(['site', 'remove', 'hotel', '--force']);
    assert.equal(remove.code, 1);
    assert.match(remove.stderr, /Site hotel is defined in PHANTOM_CONFIG/);
    assert.equal((await server.cli(['site', 'add', 'juliet', '--driver', 'sim', '--set', 'capacity=3'])).code, 0);
    const list = await server.cli(['site', 'list']);
    assert.equal(list.stdout, 'hotel\tsim\tconfig\tbootMs=0\njuliet\tsim\tcli\tcapacity=3\n');
  });
});
