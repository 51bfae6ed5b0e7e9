import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../contracts/clock.ts';
import { CloudError } from '../contracts/cloud.ts';
import { DriverConfigError } from './driver-config-error.ts';
import { createDriver, parseDriverConfig, simStateFile } from './registry.ts';
import { seededRandom } from '../lib/random.ts';
import { eventually } from '../../test/support/eventually.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const live = (): AbortSignal => new AbortController().signal;
const launch = { clientToken: 't', imageId: 'ami-1', instanceType: 'm1.small', tags: { owner: 'a' } };

describe('driver registry', () => {
  it('parses a sim site with knobs', () => {
    assert.deepEqual(
      parseDriverConfig(
        { driver: 'sim', site: 'hotel', bootMs: 2000, capacity: 3, failCalls: { launch: 'quota' } },
        'sites.hotel',
      ),
      { driver: 'sim', site: 'hotel', bootMs: 2000, capacity: 3, failCalls: { launch: 'quota' } },
    );
  });

  it('refuses bad configs naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [{ driver: 'ec3', site: 'hotel' }, 'sites.x.driver'],
      [{ driver: 'sim', site: '../etc' }, 'sites.x.site'],
      [{ driver: 'sim', site: 'hotel', capacity: 1.5 }, 'sites.x.capacity'],
      [{ driver: 'sim', site: 'hotel', deathRate: 2 }, 'sites.x.deathRate'],
      [{ driver: 'sim', site: 'hotel', bootMS: 1 }, 'sites.x.bootMS'],
      [{ driver: 'sim', site: 'hotel', failCalls: { launch: 'boom' } }, 'sites.x.failCalls.launch'],
      [{ driver: 'sim', site: 'hotel', failCalls: { reboot: 'auth' } }, 'sites.x.failCalls.reboot'],
      ['sim', 'sites.x'],
    ];
    for (const [raw, path] of bad) {
      assert.throws(
        () => parseDriverConfig(raw, 'sites.x'),
        (e) => e instanceof DriverConfigError && e.path === path,
        path,
      );
    }
  });

  it('creates a sim driver with its knobs applied', async () => {
    const driver = createDriver(
      { driver: 'sim', site: 'sierra', capacity: 0 },
      { clock: new FixedClock(), random: seededRandom(1) },
    );
    assert.equal(driver.site, 'sierra');
    await assert.rejects(driver.launch(launch, live()), (e) => e instanceof CloudError && e.kind === 'capacity');
  });

  it('keeps a sim site’s state in the data dir across driver instances', async () => {
    const deps = { clock: new FixedClock(), random: seededRandom(1), dataDir: dir };
    const first = createDriver({ driver: 'sim', site: 'hotel' }, deps);
    const launched = await first.launch(launch, live());
    // An embedded sim coalesces its writes and writes them in pieces: wait (bounded) for this one.
    await eventually('the launch saved in the data dir', async () =>
      existsSync(simStateFile(dir, 'hotel')) && readFileSync(simStateFile(dir, 'hotel'), 'utf8').includes(launched.id)
        ? true
        : undefined,
    );
    const second = createDriver({ driver: 'sim', site: 'hotel' }, deps);
    assert.deepEqual(
      (await second.listInstances({ tags: { owner: 'a' } }, live())).map((i) => i.id),
      [launched.id],
    );
  });
});

describe('registry: ec2 sites', () => {
  it('refuses an ec2 site without the user credentials, as an auth error', () => {
    const config = { driver: 'ec2' as const, site: 'aws', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' };
    assert.throws(
      () => createDriver(config, { clock: new FixedClock(), random: () => 0.5 }),
      (e: unknown) => e instanceof CloudError && e.kind === 'auth' && /phantom credentials set aws/.test(e.message),
    );
    const driver = createDriver(config, {
      clock: new FixedClock(),
      random: () => 0.5,
      credentials: { accessKey: 'AK', secretKey: 'SK' },
    });
    assert.equal(driver.site, 'aws');
  });
});

describe('registry: openstack sites', () => {
  const deps = { clock: new FixedClock(), random: () => 0.5 };
  const path = 'sites.india';

  it('parses a full openstack site', () => {
    assert.deepEqual(
      parseDriverConfig(
        {
          driver: 'openstack',
          site: 'india',
          authUrl: 'https://keystone.example.org:5000/v3',
          region: 'RegionOne',
          project: 'fg-123',
          projectDomain: 'Default',
          userDomain: 'Default',
          interface: 'internal',
          networks: ['7b1f7a5e-2d3c-4f4e-9a41-1b2c3d4e5f60'],
          securityGroups: ['default', 'ssh'],
          keyName: 'phantomkey',
          requestTimeoutMs: 10_000,
        },
        path,
      ),
      {
        driver: 'openstack',
        site: 'india',
        authUrl: 'https://keystone.example.org:5000/v3',
        region: 'RegionOne',
        project: 'fg-123',
        projectDomain: 'Default',
        userDomain: 'Default',
        interface: 'internal',
        networks: ['7b1f7a5e-2d3c-4f4e-9a41-1b2c3d4e5f60'],
        securityGroups: ['default', 'ssh'],
        keyName: 'phantomkey',
        requestTimeoutMs: 10_000,
      },
    );
    assert.deepEqual(
      parseDriverConfig({ driver: 'openstack', site: 'india', authUrl: 'http://k/v3', projectId: 'abc' }, path),
      { driver: 'openstack', site: 'india', authUrl: 'http://k/v3', projectId: 'abc' },
    );
  });

  it('refuses bad openstack settings naming the field', () => {
    const base = { driver: 'openstack', site: 'india', authUrl: 'http://k/v3' };
    const bad: Array<[unknown, string, RegExp]> = [
      [{ driver: 'openstack', site: 'india' }, `${path}.authUrl`, /is required/],
      [{ ...base, authUrl: 'ftp://k' }, `${path}.authUrl`, /http\(s\) URL/],
      [{ ...base, project: 'a', projectId: 'b' }, `${path}.projectId`, /not both/],
      [{ ...base, projectId: 'b', projectDomain: 'D' }, `${path}.projectDomain`, /goes with project/],
      [{ ...base, interface: 'admin' }, `${path}.interface`, /public or internal/],
      [{ ...base, networks: 'net-1' }, `${path}.networks`, /list of strings/],
      [{ ...base, securityGroups: ['ok', ''] }, `${path}.securityGroups[1]`, /non-empty/],
      [{ ...base, requestTimeoutMs: 0 }, `${path}.requestTimeoutMs`, /positive integer/],
      [{ ...base, endpoint: 'http://x' }, `${path}.endpoint`, /not an openstack site setting/],
      [{ ...base, region: '' }, `${path}.region`, /non-empty/],
    ];
    for (const [raw, field, message] of bad) {
      assert.throws(
        () => parseDriverConfig(raw, path),
        (e) => e instanceof DriverConfigError && e.path === field && message.test(e.message),
        field,
      );
    }
  });

  it('builds the driver from a password or an application credential; refuses missing or wrong-kind credentials', () => {
    const config = { driver: 'openstack' as const, site: 'india', authUrl: 'http://127.0.0.1:1/v3', project: 'p' };
    const isAuth = (e: unknown): boolean =>
      e instanceof CloudError && e.kind === 'auth' && /phantom credentials set india/.test(e.message);
    assert.throws(() => createDriver(config, deps), isAuth);
    assert.throws(() => createDriver(config, { ...deps, credentials: { accessKey: 'AK', secretKey: 'SK' } }), isAuth);
    assert.equal(
      createDriver(config, { ...deps, credentials: { kind: 'openstack-password', username: 'u', password: 'p' } }).site,
      'india',
    );
    assert.equal(
      createDriver(config, {
        ...deps,
        credentials: {
          kind: 'openstack-application-credential',
          applicationCredentialId: 'i',
          applicationCredentialSecret: 's',
        },
      }).site,
      'india',
    );
    const noProject = { driver: 'openstack' as const, site: 'india', authUrl: 'http://127.0.0.1:1/v3' };
    assert.throws(
      () =>
        createDriver(noProject, { ...deps, credentials: { kind: 'openstack-password', username: 'u', password: 'p' } }),
      (e: unknown) => e instanceof CloudError && e.kind === 'invalid' && /no project/.test(e.message),
    );
    assert.equal(
      createDriver(noProject, {
        ...deps,
        credentials: {
          kind: 'openstack-application-credential',
          applicationCredentialId: 'i',
          applicationCredentialSecret: 's',
        },
      }).site,
      'india',
    );
    const ec2 = { driver: 'ec2' as const, site: 'aws', region: 'us-east-1' };
    assert.throws(
      () => createDriver(ec2, { ...deps, credentials: { kind: 'openstack-password', username: 'u', password: 'p' } }),
      (e: unknown) => e instanceof CloudError && e.kind === 'auth' && /needs access keys/.test(e.message),
    );
  });
});
