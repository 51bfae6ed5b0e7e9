import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeScalingActivitiesCommand,
} from '@aws-sdk/client-auto-scaling';
import { eventually } from '../support/eventually.ts';
import {
  freePort,
  PHANTOM_BIN,
  REPO_ROOT,
  run,
  scratchDir,
  startPhantom,
  type PhantomProcess,
} from '../support/process.ts';

/** A `phantom server` (or `npm start`) child with its output and exit. */
interface Child {
  process: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, args: string[], env: Record<string, string>, detached = false): Child {
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output: () => text, exited };
}

const answers = async (url: string): Promise<boolean> => {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1000) })).arrayBuffer();
    return true;
  } catch {
    return false;
  }
};

const serverEnv = (dataDir: string, port: number, extra: Record<string, string> = {}): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('PHANTOM_') && !k.startsWith('AWS_SDK_JS')) env[k] = v;
  return {
    ...env,
    PHANTOM_DATA_DIR: dataDir,
    PHANTOM_LISTEN: `127.0.0.1:${port}`,
    PHANTOM_METRICS_LISTEN: 'off',
    PHANTOM_LOG_LEVEL: 'warn',
    ...extra,
  };
};

describe('one server per data dir', () => {
  let first: PhantomProcess;
  before(async () => (first = await startPhantom()));
  after(() => first.stop());

  it('a second server on the data dir in use exits non-zero, naming the data dir and the holder', async () => {
    const second = start(PHANTOM_BIN, ['server'], { ...first.env, PHANTOM_LISTEN: `127.0.0.1:${await freePort()}` });
    const timeout = setTimeout(() => second.process.kill('SIGKILL'), 20_000); // it started: fail, don't hang
    const exit = await second.exited;
    clearTimeout(timeout);
    assert.equal(exit.code, 1, `the second server did not refuse to start: ${second.output()}`);
    assert.ok(second.output().includes(`data dir ${first.dataDir} is in use by process ${first.pid}`), second.output());
    assert.match(second.output(), /bin\/phantom\.js server/, 'the holder command line');
    assert.ok(await answers(first.url), 'the first server still serves');
  });

  it('CLI commands work beside the running server', async () => {
    const listed = await first.cli(['user', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^admin\t/m);
    assert.ok(listed.stderr.includes(`phantom: data dir ${first.dataDir}`), 'the CLI says which data dir');
  });
});

describe('a stale lock', () => {
  const scratch = scratchDir('phantom-e2e-stale-');
  after(() => scratch.remove());

  it('left by a SIGKILLed server does not block a restart', async () => {
    const dataDir = join(scratch.dir, 'data');
    const port = await freePort();
    const env = serverEnv(dataDir, port);
    const killed = start(PHANTOM_BIN, ['server'], env);
    await eventually(
      'the first server answers',
      async () => ((await answers(`http://127.0.0.1:${port}/`)) ? true : undefined),
      15_000,
    );
    killed.process.kill('SIGKILL');
    await killed.exited;
    assert.ok(existsSync(join(dataDir, 'server.pid')), "the killed server's pid file is still there");
    const restarted = start(PHANTOM_BIN, ['server'], env);
    try {
      await eventually(
        'the restarted server answers',
        async () => {
          if (restarted.process.exitCode !== null) throw new Error(`exited: ${restarted.output()}`);
          return (await answers(`http://127.0.0.1:${port}/`)) ? true : undefined;
        },
        15_000,
      );
      assert.equal(readFileSync(join(dataDir, 'server.pid'), 'utf8').trim(), String(restarted.process.pid));
    } finally {
      restarted.process.kill('SIGTERM');
      await restarted.exited;
    }
  });
});

describe('the phantom CLI and its data dir', () => {
  let server: PhantomProcess;
  const scratch = scratchDir('phantom-e2e-cli-');
  before(async () => (server = await startPhantom()));
  after(async () => {
    await server.stop();
    scratch.remove();
  });

  it('keeps phantom.db, -wal and -shm 0600 in a data dir that already existed', () => {
    for (const file of ['phantom.db', 'phantom.db-wal', 'phantom.db-shm'])
      assert.equal(statSync(join(server.dataDir, file)).mode & 0o777, 0o600, file);
  });

  it('a read command on a missing data dir fails naming it, and creates nothing', async () => {
    const env = serverEnv('', 0);
    delete env.PHANTOM_DATA_DIR;
    const listed = await run(PHANTOM_BIN, ['user', 'list'], { env, cwd: scratch.dir });
    assert.equal(listed.code, 1);
    assert.ok(listed.stderr.includes(`No data dir at ${join(scratch.dir, '.phantom')}`), listed.stderr);
    assert.equal(existsSync(join(scratch.dir, '.phantom')), false);
    const added = await run(PHANTOM_BIN, ['user', 'add', 'ann'], { env, cwd: scratch.dir });
    assert.equal(added.code, 0, added.stderr);
    assert.ok(added.stderr.includes(`phantom: data dir ${join(scratch.dir, '.phantom')}`), added.stderr);
  });

  it('prints its version, and sim-cloud its help', async () => {
    const version = await server.cli(['--version']);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await server.cli(['sim-cloud', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: phantom sim-cloud --listen HOST:PORT --state FILE/);
    assert.match(help.stdout, /--boot-ms N/);
  });

  it('user add has no --admin flag (it granted nothing)', async () => {
    const added = await server.cli(['user', 'add', 'boss', '--admin']);
    assert.equal(added.code, 2);
    assert.match(added.stderr, /unknown option '--admin'/);
  });

  it("credentials set refuses a kind the site's driver cannot use", async () => {
    const sites = [
      ['india', 'openstack', ['--set', 'authUrl=http://127.0.0.1:9/v3', '--set', 'project=p']],
      ['juliet', 'ec2', ['--set', 'endpoint=http://127.0.0.1:9', '--set', 'region=us-east-1']],
    ] as const;
    for (const [name, driver, settings] of sites) {
      const added = await server.cli(['site', 'add', name, '--driver', driver, ...settings]);
      assert.equal(added.code, 0, added.stderr);
    }
    const ec2KeysOnOpenStack = await server.cli([
      'credentials',
      'set',
      'india',
      '--user',
      'admin',
      '--access-key',
      'AK',
      '--secret-key',
      'SK',
    ]);
    assert.equal(ec2KeysOnOpenStack.code, 1);
    assert.match(
      ec2KeysOnOpenStack.stderr,
      /Site india uses the openstack driver, which does not take access-key credentials/,
    );
    const passwordOnEc2 = await server.cli([
      'credentials',
      'set',
      'juliet',
      '--user',
      'admin',
      '--username',
      'u',
      '--password',
      'p',
    ]);
    assert.equal(passwordOnEc2.code, 1);
    assert.match(passwordOnEc2.stderr, /Site juliet uses the ec2 driver.*--access-key and --secret-key/);
    const right = await server.cli([
      'credentials',
      'set',
      'juliet',
      '--user',
      'admin',
      '--access-key',
      'AK',
      '--secret-key',
      'SK',
    ]);
    assert.equal(right.code, 0, right.stderr);
  });
});

/** Whether process `pid` is alive. */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stopping npm start', () => {
  const scratch = scratchDir('phantom-e2e-npm-');
  after(() => scratch.remove());

  for (const [how, stop] of [
    ['SIGINT to its process group (Ctrl-C)', (npm: ChildProcess) => process.kill(-npm.pid!, 'SIGINT')],
    ['SIGTERM to npm', (npm: ChildProcess) => npm.kill('SIGTERM')],
  ] as const)
    it(`${how} leaves no server behind`, async () => {
      const dataDir = join(scratch.dir, how.replace(/\W+/g, '-'));
      const port = await freePort();
      const npm = start('npm', ['start'], serverEnv(dataDir, port), true);
      let serverPid = 0;
      try {
        await eventually(
          'npm start serves',
          async () => ((await answers(`http://127.0.0.1:${port}/`)) ? true : undefined),
          20_000,
        );
        serverPid = Number(readFileSync(join(dataDir, 'server.pid'), 'utf8'));
        assert.notEqual(serverPid, npm.process.pid, "the server is npm's child");
        stop(npm.process);
        await npm.exited;
        await eventually('the server process is gone', async () => (alive(serverPid) ? undefined : true), 10_000);
        assert.equal(await answers(`http://127.0.0.1:${port}/`), false);
      } finally {
        if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
        if (npm.process.exitCode === null && npm.process.signalCode === null)
          process.kill(-npm.process.pid!, 'SIGKILL');
      }
    });
});

describe("the server's stderr", () => {
  const scratch = scratchDir('phantom-e2e-sdkwarn-');
  after(() => scratch.remove());

  it('has no AWS SDK Node-version warning once it has built an EC2 client', async () => {
    const port = await freePort();
    const nowhere = await freePort(); // an EC2 endpoint nothing listens on: launches fail, the client is built
    writeFileSync(
      join(scratch.dir, 'sites.yaml'),
      `sites:\n  hotel:\n    driver: ec2\n    endpoint: http://127.0.0.1:${nowhere}\n    region: us-east-1\n`,
    );
    const admin = { accessKeyId: 'AKIDSDKWARNTEST00001', secretAccessKey: 'sdk-warn-secret' };
    const env = serverEnv(join(scratch.dir, 'data'), port, {
      PHANTOM_CONFIG: join(scratch.dir, 'sites.yaml'),
      PHANTOM_ACCESS_KEY: admin.accessKeyId,
      PHANTOM_SECRET_KEY: admin.secretAccessKey,
      PHANTOM_RECONCILE_INTERVAL_MS: '200',
    });
    const server = start(PHANTOM_BIN, ['server'], env);
    try {
      await eventually(
        'the server answers',
        async () => ((await answers(`http://127.0.0.1:${port}/`)) ? true : undefined),
        15_000,
      );
      const set = await run(
        PHANTOM_BIN,
        ['credentials', 'set', 'hotel', '--user', 'admin', '--access-key', 'AK', '--secret-key', 'SK'],
        { env },
      );
      assert.equal(set.code, 0, set.stderr);
      const client = new AutoScalingClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: admin,
        maxAttempts: 1,
      });
      await client.send(
        new CreateLaunchConfigurationCommand({
          LaunchConfigurationName: 'web@hotel',
          ImageId: 'ami-1',
          InstanceType: 'm1.small',
        }),
      );
      await client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'web',
          LaunchConfigurationName: 'web@hotel',
          MinSize: 1,
          MaxSize: 1,
          AvailabilityZones: ['hotel'],
          Tags: [
            { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
            { Key: 'clouds', Value: 'hotel:-1' },
          ],
        }),
      );
      await eventually(
        'a launch on the EC2 site was tried',
        async () => {
          const activities =
            (await client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }))).Activities ?? [];
          return activities.some((a) => a.StatusCode === 'Failed') ? true : undefined;
        },
        15_000,
      );
      assert.doesNotMatch(server.output(), /NodeVersionSupportWarning|AWS SDK for JavaScript/);
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
    }
  });
});
