/** `phantom credentials set|list` with the three credential kinds, run in-process against a data dir. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';

describe('phantom credentials set: access keys, OpenStack password, application credential', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-os-cli-'));
  const saved = { ...process.env };
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  before(async () => {
    writeFileSync(
      join(dir, 'sites.yaml'),
      'sites:\n  india:\n    driver: openstack\n    authUrl: http://127.0.0.1:5000/v3\n    project: fg-1\n  aws:\n    driver: ec2\n    region: us-east-1\n',
    );
    Object.assign(process.env, {
      PHANTOM_DATA_DIR: join(dir, 'data'),
      PHANTOM_CONFIG: join(dir, 'sites.yaml'),
      PHANTOM_LOG_LEVEL: 'silent',
    });
    assert.equal((await cli(['user', 'add', 'ann'])).code, 0);
  });
  after(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets each kind and lists them without secrets', async () => {
    assert.equal(
      (
        await cli([
          'credentials',
          'set',
          'india',
          '--user',
          'ann',
          '--username',
          'ann-fg',
          '--password',
          'pw-canary',
          '--user-domain',
          'fg',
          '--key-name',
          'phantomkey',
        ])
      ).code,
      0,
    );
    assert.equal(
      (
        await cli([
          'credentials',
          'set',
          'aws',
          '--user',
          'ann',
          '--access-key',
          'AKIAANNKEY0001',
          '--secret-key',
          'sk-canary',
        ])
      ).code,
      0,
    );
    const listed = await cli(['credentials', 'list', '--user', 'ann', '--json']);
    const rows = JSON.parse(listed.out) as Array<{ site: string; kind: string; identity: string; keyName?: string }>;
    assert.deepEqual(
      rows.map((r) => [r.site, r.kind, r.identity, r.keyName ?? null]),
      [
        ['aws', 'access-key', '****0001', null],
        ['india', 'openstack-password', 'ann-fg@fg', 'phantomkey'],
      ],
    );
    assert.doesNotMatch(listed.out, /canary/);
    assert.equal(
      (
        await cli([
          'credentials',
          'set',
          'india',
          '--user',
          'ann',
          '--application-credential-id',
          'ac-123456',
          '--application-credential-secret',
          'ac-canary',
        ])
      ).code,
      0,
    );
    const text = await cli(['credentials', 'list', '--user', 'ann']);
    assert.match(text.out, /^india\t\*\*\*\*3456\t-\t\S+\topenstack-application-credential$/m);
    assert.doesNotMatch(text.out, /canary/);
  });

  it('refuses mixed, incomplete or missing credentials with a clear message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--access-key', 'AK', '--secret-key', 'SK', '--username', 'u', '--password', 'p'],
        /Mixed credential kinds \(--access-key\/--secret-key and --username\/--password/,
      ],
      [['--username', 'u'], /--username and --password go together/],
      [['--user-domain', 'fg'], /--username and --password go together/],
      [
        ['--application-credential-id', 'i'],
        /--application-credential-id and --application-credential-secret go together/,
      ],
      [['--secret-key', 'SK'], /--access-key and --secret-key go together/],
      [[], /No credentials given: give --access-key and --secret-key \(ec2\), --username and --password \(openstack\)/],
      [['--username', 'u', '--password', ''], /user name and a password are required/],
    ];
    for (const [flags, message] of cases) {
      const r = await cli(['credentials', 'set', 'india', '--user', 'ann', ...flags]);
      assert.equal(r.code, 1, flags.join(' '));
      assert.match(r.err, message, flags.join(' '));
    }
  });
});
