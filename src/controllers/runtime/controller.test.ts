import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { CloudDriver } from '../../contracts/cloud.ts';
import { openSimCloud, type SimCloud } from '../../drivers/sim/open.ts';
import { seededRandom } from '../../lib/random.ts';
import { EngineRegistry } from '../../engines/registry.ts';
import { createGroup, setDesiredCapacity } from '../../services/groups.ts';
import { touchedGroups, touchedOwner } from '../../services/write-effect.ts';
import { SiteBackoff } from './backoff.ts';
import { Controller } from './controller.ts';
import { meteredDriver, noCalls } from './metered-driver.ts';
import { RecordCache } from './record-cache.ts';
import { createSiteEntries, groupTags, serviceWorld } from '../reconcile/testkit.ts';

const SITES = ['hotel', 'sierra'];

/** A store with `domains` Phantom domains of 2 (hotel:1, sierra:-1), two sims, and a controller over them. */
async function world(domains: number) {
  const { store, clock, user, services } = await serviceWorld(SITES, {
    defaultLimits: { maxGroups: 1000, maxLaunchConfigurations: 10, maxInstances: 100_000 },
  });
  await createSiteEntries(services, user, 'web', SITES);
  const tags = groupTags({ PHANTOM_DEFINITION: 'error_overflow_n_preserving', clouds: 'hotel:1,sierra:-1' });
  const names = Array.from({ length: domains }, (_, i) => `d${String(i).padStart(3, '0')}`);
  for (const name of names)
    await createGroup(services, user, {
      name,
      launchConfigurationName: 'web@hotel',
      minSize: 2,
      maxSize: 2,
      availabilityZones: ['hotel'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags,
    });
  const sims: Record<string, SimCloud> = {};
  for (const site of SITES) sims[site] = openSimCloud({ site, clock, random: seededRandom(site.length) });
  const firstLaunch: string[] = [];
  const drivers: Record<string, CloudDriver> = {};
  for (const site of SITES)
    drivers[site] = meteredDriver(sims[site]!.driver, noCalls(), (r) => {
      const group = r.tags['phantom:group']!;
      if (!firstLaunch.includes(group)) firstLaunch.push(group);
    });
  let next = 0;
  const controller = new Controller({
    store,
    intervalMs: 3_600_000,
    log: pino({ level: 'silent' }),
    launchesPerSite: 1000,
    reconciler: {
      store,
      clock,
      installationId: 'install-1',
      driverFor: async (_o, site) => drivers[site]!,
      backoff: new SiteBackoff({ initialMs: 1000, maxMs: 1000 }),
      engines: new EngineRegistry(),
      knownSites: () => SITES,
      newIntentId: () => `intent-${++next}`,
      graceMs: 60_000,
    },
  });
  const live = (site: string) =>
    sims[site]!.state.list({}, clock.now().getTime()).filter((i) => i.state === 'pending' || i.state === 'running')
      .length;
  return { store, user, services, names, controller, firstLaunch, live };
}

async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('controller runtime', () => {
  it('a routine pass lists each site once for all domains and converges them all', async () => {
    const w = await world(30);
    w.controller.start();
    await until(() => w.controller.lastPassReport !== undefined);
    assert.equal(w.live('hotel'), 30);
    assert.equal(w.live('sierra'), 30);
    const first = w.controller.lastPassReport!;
    assert.deepEqual(
      [first.domains, first.cloudCalls.list, first.cloudCalls.launch],
      [30, 2, 60],
      'one listing per site, not per domain',
    );
    w.controller.poke();
    await until(() => w.controller.lastPassReport !== first);
    assert.deepEqual(
      w.controller.lastPassReport!.cloudCalls,
      { list: 2, launch: 0, terminate: 0 },
      'a settled fleet costs one listing per site',
    );
    await w.controller.stop();
  });

  it('a quiet fleet is not re-read from the store; a written group is read directly until the cache is pruned', async () => {
    const w = await world(5);
    const reads = { bulk: 0, direct: [] as string[] };
    const listInstances = w.store.listInstances.bind(w.store);
    w.store.listInstances = (owner, query) => {
      if (query.groupName === undefined) reads.bulk++;
      else reads.direct.push(query.groupName);
      return listInstances(owner, query);
    };
    const pass = async () => {
      const before = w.controller.lastPassReport;
      w.controller.poke();
      await until(() => w.controller.lastPassReport !== before);
    };
    w.controller.start();
    await until(() => w.controller.lastPassReport !== undefined);
    await pass(); // records what the first pass launched as InService
    await pass();
    const settled = { bulk: reads.bulk, direct: reads.direct.length };
    await pass();
    await pass();
    assert.deepEqual(
      { bulk: reads.bulk, direct: reads.direct.length },
      settled,
      'a quiet pass reads nothing from the store',
    );
    const [written] = w.names as [string];
    w.controller.pokeWrite(w.user.id, (await setDesiredCapacity(w.services, w.user, written, 3)).effect);
    await until(() => w.live('hotel') + w.live('sierra') === 11);
    await pass();
    assert.equal(reads.bulk, settled.bulk, 'one written group does not make the owner read afresh');
    assert.ok(
      reads.direct.slice(settled.direct).every((g) => g === written) && reads.direct.length > settled.direct,
      'the written group is read directly',
    );
    await w.controller.stop();
  });

  it('a write jumps the queue: its group is reconciled before the rest of a running pass', async () => {
    const w = await world(40);
    w.controller.start();
    const last = w.names.at(-1)!;
    await until(() => w.firstLaunch.length > 0);
    w.controller.pokeWrite(w.user.id, (await setDesiredCapacity(w.services, w.user, last, 3)).effect);
    await until(() => w.controller.lastPassReport !== undefined);
    // Without the urgent queue it would come last (40th); with it, within a few domains of the write.
    assert.ok(
      w.firstLaunch.indexOf(last) < 20,
      `${last} launched at position ${w.firstLaunch.indexOf(last)} of ${w.firstLaunch.length}`,
    );
    await w.controller.stop();
  });

  it('RecordCache serves a bulk read, except for groups marked written since, until pruned', async () => {
    const w = await world(2);
    const [a, b] = w.names as [string, string];
    let now = 0;
    const cache = new RecordCache(w.store, { now: () => now, maxAgeMs: 60_000 });
    assert.equal((await cache.group(w.user.id, a))?.desiredCapacity, 2);
    for (const name of [a, b]) await setDesiredCapacity(w.services, w.user, name, 1);
    cache.markGroup(w.user.id, a);
    assert.equal((await cache.group(w.user.id, a))?.desiredCapacity, 1, 'a marked group is read afresh');
    assert.equal((await cache.group(w.user.id, b))?.desiredCapacity, 2, 'an unmarked one comes from the bulk read');
    cache.prune();
    assert.equal((await cache.group(w.user.id, b))?.desiredCapacity, 2, 'one mark does not drop the cache');
    now = 60_001;
    cache.prune();
    assert.equal((await cache.group(w.user.id, b))?.desiredCapacity, 1, 'an old cache is read afresh');
    await setDesiredCapacity(w.services, w.user, b, 2);
    cache.markOwner(w.user.id);
    assert.equal((await cache.group(w.user.id, b))?.desiredCapacity, 2, 'an owner-wide mark covers every group');
  });

  it('RecordCache honours a mark made while the bulk read it waits on was running', async () => {
    const w = await world(2);
    const [a] = w.names as [string];
    let fetched!: () => void;
    let release!: () => void;
    const didFetch = new Promise<void>((r) => (fetched = r));
    const gate = new Promise<void>((r) => (release = r));
    const listGroups = w.store.listGroups.bind(w.store);
    w.store.listGroups = async (owner, page) => {
      const rows = await listGroups(owner, page);
      fetched();
      await gate;
      return rows;
    };
    const cache = new RecordCache(w.store, { now: () => 0, maxAgeMs: 60_000 });
    const read = cache.group(w.user.id, a);
    await didFetch; // the bulk read has its (soon stale) rows
    await setDesiredCapacity(w.services, w.user, a, 1);
    cache.markGroup(w.user.id, a);
    release();
    assert.equal((await read)?.desiredCapacity, 1, 'the write marked during the bulk read is read afresh');
  });
});

describe('Controller.pokeWrite', () => {
  it("reconciles exactly the groups a write's effect names, or all the owner's for an owner-wide effect", async () => {
    const w = await world(3);
    const [, second] = w.names as [string, string, string];
    w.controller.pokeWrite(w.user.id, touchedGroups(second));
    await until(() => w.live('hotel') + w.live('sierra') === 2);
    assert.deepEqual(w.firstLaunch, [second], 'only the touched group was reconciled (no poll runs)');
    w.controller.pokeWrite(w.user.id, touchedOwner);
    await until(() => w.live('hotel') + w.live('sierra') === 6);
    assert.deepEqual([...w.firstLaunch].sort(), w.names);
    await w.controller.stop();
  });
});
