import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../contracts/clock.ts';
import { CloudError } from '../contracts/cloud.ts';
import { DriverConfigError } from './driver-config-error.ts';
import { createDriver, parseDriverConfig, simStateFile } from './registry.ts';
import { seededRandom } from './sim/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const live = (): AbortSignal => new AbortController().signal;
const launch = { clientToken: 't', imageId: 'ami-1', instanceType: 'm1.small', tags: { owner: 'a' } };

describe('driver registry', () => {
  it('parses a sim site with knobs', () => {
    assert.deepEqual(
      parseDriverConfig({ driver: 'sim', site: 'hotel', bootMs: 2000, capacity: 3, failCalls: { launch: 'quota' } }, 'sites.hotel'),
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
      assert.throws(() => parseDriverConfig(raw, 'sites.x'), (e) => e instanceof DriverConfigError && e.path === path, path);
    }
  });

  it('creates a sim driver with its knobs applied', async () => {
    const driver = createDriver({ driver: 'sim', site: 'sierra', capacity: 0 }, { clock: new FixedClock(), random: seededRandom(1) });
    assert.equal(driver.site, 'sierra');
    await assert.rejects(driver.launch(launch, live()), (e) => e instanceof CloudError && e.kind === 'capacity');
  });

  it('keeps a sim site’s state in the data dir across driver instances', async () => {
    const deps = { clock: new FixedClock(), random: seededRandom(1), dataDir: dir };
    const first = createDriver({ driver: 'sim', site: 'hotel' }, deps);
    const launched = await first.launch(launch, live());
    assert.ok(existsSync(simStateFile(dir, 'hotel')));
    const second = createDriver({ driver: 'sim', site: 'hotel' }, deps);
    assert.deepEqual((await second.listInstances({ tags: { owner: 'a' } }, live())).map((i) => i.id), [launched.id]);
  });
});

describe('registry: ec2 sites', () => {
  it('refuses an ec2 site without the user credentials, as an auth error', () => {
    const config = { driver: 'ec2' as const, site: 'aws', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' };
    assert.throws(() => createDriver(config, { clock: new FixedClock(), random: () => 0.5 }), (e: unknown) => e instanceof CloudError && e.kind === 'auth' && /phantom credentials set aws/.test(e.message));
    const driver = createDriver(config, { clock: new FixedClock(), random: () => 0.5, credentials: { accessKey: 'AK', secretKey: 'SK' } });
    assert.equal(driver.site, 'aws');
  });
});
