import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../contracts/clock.ts';
import type { LaunchRequest } from '../../contracts/cloud.ts';
import { openSimCloud } from './open.ts';
import { seededRandom } from '../../lib/random.ts';
import { SIM_ADDRESSES_PER_SITE, simInstanceId, simPrivateAddress } from './record.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-sim-addr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const live = (): AbortSignal => new AbortController().signal;
const req = (token: string): LaunchRequest => ({
  clientToken: token,
  imageId: 'ami-1',
  instanceType: 'm1.small',
  tags: {},
});
const loopback = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Launches `n` instances on a fresh instant sim and lists them running. */
async function launched(site: string, n: number, seed = 1, file?: string) {
  const clock = new FixedClock();
  const cloud = openSimCloud({ site, clock, random: seededRandom(seed), ...(file ? { file } : {}) });
  for (let i = 0; i < n; i++) await cloud.driver.launch(req(`t-${i}`), live());
  return { cloud, clock, instances: await cloud.driver.listInstances({ tags: {} }, live()) };
}

describe('simulated instance addresses', () => {
  it('are loopback addresses (127.0.0.0/8, never 127.0.x.x), private and public distinct', async () => {
    const { instances } = await launched('hotel', 3);
    for (const i of instances) {
      assert.match(i.privateAddress ?? '', loopback);
      assert.match(i.publicAddress ?? '', loopback);
      assert.notEqual(i.privateAddress, i.publicAddress);
      assert.doesNotMatch(i.privateAddress!, /^127\.0\./, "Phantom's own 127.0.0.1 stays out of the range");
      assert.doesNotMatch(i.publicAddress!, /^127\.0\./);
    }
  });

  it('are deterministic for a site and seed, unique per live instance, and differ between the default sites', async () => {
    const a = await launched('hotel', 300, 5);
    const b = await launched('hotel', 300, 5);
    assert.deepEqual(
      a.instances.map((i) => [i.privateAddress, i.publicAddress]),
      b.instances.map((i) => [i.privateAddress, i.publicAddress]),
    );
    const all = a.instances.flatMap((i) => [i.privateAddress, i.publicAddress]);
    assert.equal(new Set(all).size, 600, 'no address is used twice');
    const sierra = await launched('sierra', 300, 5);
    const sierraAll = new Set(sierra.instances.flatMap((i) => [i.privateAddress, i.publicAddress]));
    assert.deepEqual(
      all.filter((x) => sierraAll.has(x!)),
      [],
      'hotel and sierra instances never share an address',
    );
  });

  it('are kept across a restart with a state file, and new instances get new ones', async () => {
    const file = join(dir, 'kept.json');
    const first = await launched('hotel', 2, 1, file);
    const clock = new FixedClock();
    const reopened = openSimCloud({ site: 'hotel', file, clock, random: seededRandom(2) });
    const again = await reopened.driver.listInstances({ tags: {} }, live());
    assert.deepEqual(
      again.map((i) => [i.id, i.privateAddress, i.publicAddress]),
      first.instances.map((i) => [i.id, i.privateAddress, i.publicAddress]),
    );
    await reopened.driver.launch(req('t-new'), live());
    const all = (await reopened.driver.listInstances({ tags: {} }, live())).map((i) => i.privateAddress);
    assert.equal(new Set(all).size, 3);
  });

  it('skip addresses live instances hold when the sequence wraps round', async () => {
    const file = join(dir, 'wrap.json');
    const site = 'hotel';
    const holder = {
      id: simInstanceId(site, 'e', 0),
      clientToken: 'old',
      imageId: 'ami-1',
      instanceType: 'm1.small',
      tags: {},
      state: 'running',
      privateAddress: simPrivateAddress(site, 0),
      publicAddress: '127.200.0.1',
      launchedAt: 0,
      bootsAt: 0,
      failsAtBoot: false,
    };
    const snapshot = { version: 1, site, epoch: 'e', sequence: SIM_ADDRESSES_PER_SITE, instances: [holder] };
    writeFileSync(file, JSON.stringify(snapshot));
    const cloud = openSimCloud({ site, file, clock: new FixedClock(), random: seededRandom(1) });
    const next = await cloud.driver.launch(req('t-wrap'), live());
    assert.notEqual(next.privateAddress, holder.privateAddress, 'index 0 is taken by a live instance');
    assert.equal(next.privateAddress, simPrivateAddress(site, 1));
  });

  it('replace the off-machine addresses of a state file written before they were loopback', async () => {
    const file = join(dir, 'old.json');
    const site = 'sierra';
    const old = {
      id: simInstanceId(site, 'e', 0),
      clientToken: 'old',
      imageId: 'ami-1',
      instanceType: 'm1.small',
      tags: {},
      state: 'running',
      privateAddress: '10.0.0.1',
      publicAddress: '100.64.0.1',
      launchedAt: 0,
      bootsAt: 0,
      failsAtBoot: false,
    };
    writeFileSync(file, JSON.stringify({ version: 1, site, epoch: 'e', sequence: 1, instances: [old] }));
    const cloud = openSimCloud({ site, file, clock: new FixedClock(), random: seededRandom(1) });
    const [listed] = await cloud.driver.listInstances({ tags: {} }, live());
    assert.match(listed?.privateAddress ?? '', loopback);
    assert.match(listed?.publicAddress ?? '', loopback);
  });
});
