import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAccountLimitsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { freePort, PHANTOM_BIN, REPO_ROOT, run, startPhantom, type PhantomProcess } from '../support/process.ts';
import { errorCode, signV4 } from '../support/sign.ts';

const NO_ADMIN_ENV = { PHANTOM_ACCESS_KEY: '', PHANTOM_SECRET_KEY: '' };

describe('phantom server: first start', () => {
  let server: PhantomProcess;
  let startedMs: number;
  before(async () => {
    const t0 = Date.now();
    server = await startPhantom({ env: NO_ADMIN_ENV });
    startedMs = Date.now() - t0;
  });
  after(() => server.stop());

  it('serves within a few seconds of start', () => {
    assert.ok(startedMs < 8000, `took ${startedMs} ms`);
  });

  // The memory tuning lives in the launcher's shebang (`env -S VAR=… node --flags`); the kernel
  // must hand those to the server process, and npm start must go through the launcher.
  it(
    "runs with the memory tuning of the launcher's shebang, as npm start does",
    { skip: process.platform !== 'linux' && 'reads /proc' },
    () => {
      const shebang = readFileSync(PHANTOM_BIN, 'utf8').split('\n')[0]!.split(' ');
      const nodeAt = shebang.indexOf('node');
      assert.ok(nodeAt > 0, shebang.join(' '));
      const assignments = shebang.slice(2, nodeAt);
      const options = shebang.slice(nodeAt + 1);
      assert.ok(
        options.some((o) => /^--max-semi-space-size=\d+$/.test(o)) && assignments.includes('MALLOC_ARENA_MAX=2'),
        shebang.join(' '),
      );
      const argv = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
      assert.deepEqual(argv.slice(1, 1 + options.length), options);
      assert.equal(argv[1 + options.length], PHANTOM_BIN);
      const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
      for (const assignment of assignments) assert.ok(environ.includes(assignment), assignment);
      const scripts = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
      ).scripts;
      assert.equal(scripts.start, 'exec bin/phantom.js server', 'exec: npm signals the server itself, not a shell');
    },
  );

  it('creates admin, prints its keys once and writes them to a 0600 file that works', async () => {
    const printed = /Access key id: (AKPH[A-Z2-7]{16})\s+Secret access key: (\S{40})/.exec(server.output().stdout);
    assert.ok(printed, server.output().stdout);
    const file = join(server.dataDir, 'admin-credentials');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), `PHANTOM_ACCESS_KEY=${printed[1]}\nPHANTOM_SECRET_KEY=${printed[2]}\n`);
    const groups = await server
      .sdk({ accessKeyId: printed[1]!, secretAccessKey: printed[2]! })
      .send(new DescribeAutoScalingGroupsCommand({}));
    assert.deepEqual(groups.AutoScalingGroups, []);
    const list = await server.cli(['user', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(list.stdout) as Array<{ user: string; admin: boolean; accessKeyIds: string[] }>).map((u) => [
        u.user,
        u.admin,
        u.accessKeyIds,
      ]),
      [['admin', true, [printed[1]]]],
    );
  });
});

describe('phantom CLI against a running server', () => {
  let server: PhantomProcess;
  before(async () => (server = await startPhantom()));
  after(() => server.stop());

  it('user add, key create, limits and key delete take effect at once', async () => {
    const zoe = await server.addUser('zoe');
    const client = server.sdk(zoe);
    assert.deepEqual((await client.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);

    const second = await server.cli(['key', 'create', 'zoe', '--json']);
    assert.equal(second.code, 0, second.stderr);
    const key2 = JSON.parse(second.stdout) as { accessKeyId: string; secretAccessKey: string };
    assert.equal((await server.sdk(key2).send(new DescribeAccountLimitsCommand({}))).MaxNumberOfAutoScalingGroups, 500);

    const limits = await server.cli(['user', 'limits', 'zoe', '--max-groups', '7']);
    assert.equal(limits.code, 0, limits.stderr);
    assert.equal((await client.send(new DescribeAccountLimitsCommand({}))).MaxNumberOfAutoScalingGroups, 7);
    const instances = await server.cli(['user', 'limits', 'zoe', '--max-instances', '2']);
    assert.equal(instances.code, 0, instances.stderr);
    assert.deepEqual(JSON.parse(instances.stdout), { user: 'zoe', limits: { maxGroups: 7, maxInstances: 2 } });
    await client.send(
      new CreateLaunchConfigurationCommand({
        LaunchConfigurationName: 'lc@hotel',
        ImageId: 'img',
        InstanceType: 'small',
      }),
    );
    await assert.rejects(
      client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: 'big',
          LaunchConfigurationName: 'lc@hotel',
          MinSize: 3,
          MaxSize: 3,
          AvailabilityZones: ['us-east-1'],
        }),
      ),
      /user zoe may run at most 2 instances \(desired capacities would total 3\)/,
    );

    const deleted = await server.cli(['key', 'delete', zoe.accessKeyId]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await assert.rejects(
      client.send(new DescribeAutoScalingGroupsCommand({})),
      (e: Error) => e.name === 'InvalidClientTokenId',
    );
    assert.ok(await server.sdk(key2).send(new DescribeAutoScalingGroupsCommand({})), 'the other key still works');
  });

  it('refuses bad CLI input with a clear message and exit code', async () => {
    const dup = await server.cli(['user', 'add', 'zoe']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /phantom: User zoe already exists/);
    const badName = await server.cli(['user', 'add', 'no spaces']);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /must be 1-64 characters/);
    const usage = await server.cli(['user', 'limits', 'zoe', '--max-groups', 'lots']);
    assert.equal(usage.code, 2);
    const missing = await server.cli(['key', 'create', 'nobody']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No user named nobody/);
  });

  it('credentials set/list/remove: sealed at rest, listed masked, secret read from stdin', async () => {
    const set = await run(
      PHANTOM_BIN,
      [
        'credentials',
        'set',
        'hotel',
        '--user',
        'zoe',
        '--access-key',
        'AKIAZOECLOUDKEY12345',
        '--secret-key',
        '-',
        '--key-name',
        'phantomkey',
      ],
      { env: server.env, input: 'zoe-cloud-canary-secret\n' },
    );
    assert.equal(set.code, 0, set.stderr);
    const listed = await server.cli(['credentials', 'list', '--user', 'zoe', '--json']);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ site: string; accessKey: string; keyName: string }>).map((c) => [
        c.site,
        c.accessKey,
        c.keyName,
      ]),
      [['hotel', '****2345', 'phantomkey']],
    );
    assert.doesNotMatch(listed.stdout, /canary/);
    for (const file of readdirSync(server.dataDir).filter((f) => f.startsWith('phantom.db'))) {
      const bytes = readFileSync(join(server.dataDir, file));
      assert.equal(bytes.indexOf('zoe-cloud-canary-secret'), -1, `cloud secret found in ${file}`);
      assert.equal(bytes.indexOf('AKIAZOECLOUDKEY12345'), -1, `cloud access key found in ${file}`);
    }
    const unknownSite = await server.cli([
      'credentials',
      'set',
      'mars',
      '--user',
      'zoe',
      '--access-key',
      'a',
      '--secret-key',
      'b',
    ]);
    assert.equal(unknownSite.code, 1);
    assert.match(unknownSite.stderr, /Unknown site mars/);
    assert.equal((await server.cli(['credentials', 'remove', 'hotel', '--user', 'zoe'])).code, 0);
    assert.equal((await server.cli(['credentials', 'remove', 'hotel', '--user', 'zoe'])).code, 1);
  });

  it('keeps secrets out of the database files and the server output', async () => {
    const canary = await server.addUser('canary');
    const files = readdirSync(server.dataDir).filter((f) => f.startsWith('phantom.db'));
    assert.ok(files.includes('phantom.db') && files.includes('phantom.db-wal'), files.join(','));
    for (const file of files) {
      const bytes = readFileSync(join(server.dataDir, file));
      assert.equal(bytes.indexOf(canary.secretAccessKey), -1, `secret found in ${file}`);
      assert.equal(bytes.indexOf(server.admin.secretAccessKey), -1, `admin secret found in ${file}`);
    }
    const { stdout, stderr } = server.output();
    assert.ok(!`${stdout}${stderr}`.includes(canary.secretAccessKey));
  });
});

describe('phantom server over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves https when PHANTOM_TLS_CERT and PHANTOM_TLS_KEY are set', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const made = await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    assert.equal(made.code, 0, made.stderr);
    const port = await freePort();
    const creds = { accessKeyId: 'AKIDTLSTEST000000000', secretAccessKey: 'tls-secret' };
    const child = spawn(PHANTOM_BIN, ['server'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PHANTOM_LISTEN: `127.0.0.1:${port}`,
        PHANTOM_DATA_DIR: join(dir, 'data'),
        PHANTOM_TLS_CERT: cert,
        PHANTOM_TLS_KEY: key,
        PHANTOM_ACCESS_KEY: creds.accessKeyId,
        PHANTOM_SECRET_KEY: creds.secretAccessKey,
        PHANTOM_METRICS_LISTEN: 'off',
      },
      stdio: 'ignore',
    });
    try {
      const url = `https://127.0.0.1:${port}`;
      const signed = await signV4(url, creds, { Action: 'DescribeAutoScalingGroups' });
      const ask = () =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            `${url}/`,
            { method: 'POST', headers: signed.headers, rejectUnauthorized: false },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
            },
          );
          req.on('error', reject);
          req.end(signed.body);
        });
      let answer: { status: number; body: string } | undefined;
      for (let i = 0; i < 100 && !answer; i++)
        answer = await ask().catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)));
      assert.ok(answer, 'no https answer');
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.body, /<DescribeAutoScalingGroupsResponse/);
      assert.equal(errorCode(answer.body), undefined);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
