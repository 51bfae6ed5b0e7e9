import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudError } from '../contracts/cloud.ts';
import { FixedClock } from '../contracts/clock.ts';
import type { User } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import { openSimCloud, type SimCloud } from '../drivers/sim/open.ts';
import { seededRandom } from '../lib/random.ts';
import { EngineRegistry } from '../engines/registry.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { createGroup, deleteGroup, setDesiredCapacity, setProcessesSuspended } from '../services/groups.ts';
import { SCALING_PROCESSES } from '../domain/processes.ts';
import { createLaunchConfiguration } from '../services/launch-configurations.ts';
import { reconcileDomain, type ReconcilerDeps } from './domain-reconciler.ts';
import { SiteBackoff } from './runtime/backoff.ts';
import { meteredDriver, noCalls } from './runtime/metered-driver.ts';
import { createSiteEntries, groupTags, serviceWorld } from './reconcile/testkit.ts';

interface World {
  store: Store;
  clock: FixedClock;
  user: User;
  clouds: Record<string, SimCloud>;
  services: ServiceDeps;
  deps: ReconcilerDeps;
  noCredentials: Set<string>;
  pass(): Promise<void>;
  /** Site → ids of instances not terminated, as the cloud itself has them. */
  cloudView(): Record<string, string[]>;
  /** Site → lifecycle states of the group's instance records. */
  recordView(): Promise<Record<string, string[]>>;
}

async function world(clouds: string): Promise<World> {
  const { store, clock, user, services } = await serviceWorld(['hotel', 'sierra']);
  const sims: Record<string, SimCloud> = {};
  for (const site of ['hotel', 'sierra'])
    sims[site] = openSimCloud({ site, clock, random: seededRandom(site.length), knobs: { bootMs: 1000 } });
  await createSiteEntries(services, user, 'testlc1', ['hotel', 'sierra'], 'aGVsbG8=');
  const tags = groupTags({ PHANTOM_DEFINITION: 'error_overflow_n_preserving', clouds });
  await createGroup(services, user, {
    name: 'testDomain1',
    launchConfigurationName: 'testlc1@hotel',
    minSize: 3,
    maxSize: 3,
    availabilityZones: ['us-east-1'],
    loadBalancerNames: [],
    targetGroupARNs: [],
    tags,
  });
  let next = 0;
  const noCredentials = new Set<string>();
  const deps: ReconcilerDeps = {
    store,
    clock,
    installationId: 'install-1',
    driverFor: async (owner, site) => {
      if (noCredentials.has(site) || noCredentials.has(`${owner}@${site}`))
        throw new CloudError('auth', `No credentials for site ${site}; set them with phantom credentials set ${site}`);
      return sims[site]!.driver;
    },
    backoff: new SiteBackoff({ initialMs: 10_000, maxMs: 60_000 }),
    engines: new EngineRegistry(),
    knownSites: () => ['hotel', 'sierra'],
    newIntentId: () => `intent-${++next}`,
    graceMs: 60_000,
  };
  const controller = new AbortController();
  return {
    store,
    clock,
    user,
    clouds: sims,
    services,
    deps,
    noCredentials,
    pass: async () => {
      await reconcileDomain(deps, user.id, 'testDomain1', controller.signal);
    },
    cloudView: () =>
      Object.fromEntries(
        Object.entries(sims).map(([site, sim]) => [
          site,
          sim.state
            .list({}, clock.now().getTime())
            .filter((i) => i.state !== 'terminated' && i.state !== 'failed')
            .map((i) => i.id),
        ]),
      ),
    recordView: async () => {
      const out: Record<string, string[]> = { hotel: [], sierra: [] };
      for (const r of await store.listInstances(user.id, { groupName: 'testDomain1' }))
        out[r.site]!.push(r.lifecycleState);
      return out;
    },
  };
}

const counts = (view: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(view).map(([site, ids]) => [site, ids.length]));

describe('domain reconciler (two simulated sites, fixed clock)', () => {
  it('converges the seed walkthrough: 1 on hotel, 2 on sierra; alter to 2; delete', async () => {
    const w = await world('hotel:1,sierra:2');
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 });
    assert.deepEqual(await w.recordView(), { hotel: ['Pending'], sierra: ['Pending', 'Pending'] });
    w.clock.advance(1500);
    await w.pass();
    assert.deepEqual(await w.recordView(), { hotel: ['InService'], sierra: ['InService', 'InService'] });
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 }, 'a settled domain launches nothing more');
    const launchedWith = w.clouds.hotel!.inspect(w.cloudView().hotel![0]!);
    assert.equal(launchedWith?.userData, 'aGVsbG8=');
    assert.equal(launchedWith?.tags['phantom:group'], 'testDomain1');

    await setDesiredCapacity(w.services, w.user, 'testDomain1', 2);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 1 }, 'the lowest-ranked site shrinks');
    await w.pass();
    assert.deepEqual(await w.recordView(), { hotel: ['InService'], sierra: ['InService'] });

    await deleteGroup(w.services, w.user, 'testDomain1', false);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 0 });
    await w.pass();
    assert.equal(
      await w.store.getGroup(w.user.id, 'testDomain1'),
      undefined,
      'the record goes once the instances are gone',
    );
  });

  it('terminates the instances it takes out of service with one cloud call per site', async () => {
    const w = await world('hotel:1,sierra:2');
    await w.pass();
    w.clock.advance(1500);
    await w.pass();
    const calls = { hotel: noCalls(), sierra: noCalls() };
    const driverFor = w.deps.driverFor;
    w.deps.driverFor = async (owner, site) =>
      meteredDriver(await driverFor(owner, site), calls[site as keyof typeof calls]);
    await deleteGroup(w.services, w.user, 'testDomain1', false);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 0 });
    assert.deepEqual(
      { hotel: calls.hotel.terminate, sierra: calls.sierra.terminate },
      { hotel: 1, sierra: 1 },
      "sierra's two instances go in one call",
    );
  });

  it('overflows a full first site within the same pass, backs it off, and moves back later', async () => {
    const w = await world('hotel:2,sierra:-1');
    w.clouds.hotel!.setKnobs({ capacity: 0 });
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 3 });
    const activities = await w.store.listActivities(w.user.id, { groupName: 'testDomain1', limit: 10 });
    const failed = activities.filter((a) => a.statusCode === 'Failed');
    assert.equal(failed.length, 1, 'one attempt on the full site, then backoff');
    assert.match(failed[0]!.statusMessage ?? '', /InsufficientInstanceCapacity/);
    await w.pass();
    assert.equal(
      activities.length,
      (await w.store.listActivities(w.user.id, { groupName: 'testDomain1', limit: 10 })).length,
      'no retry while backed off',
    );

    w.clouds.hotel!.setKnobs({ capacity: 10 });
    w.clock.advance(11_000);
    for (let i = 0; i < 8; i++) {
      await w.pass();
      w.clock.advance(1500);
    }
    assert.deepEqual(counts(w.cloudView()), { hotel: 2, sierra: 1 }, 'load is back in rank order within caps');
  });

  it('replaces an instance killed in the cloud in the next pass', async () => {
    const w = await world('hotel:1,sierra:2');
    await w.pass();
    w.clock.advance(1500);
    await w.pass();
    const victim = w.cloudView().sierra![0]!;
    assert.equal(w.clouds.sierra!.kill(victim), true);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 });
    assert.ok(!w.cloudView().sierra!.includes(victim));
  });

  it('completes termination activities once the cloud reports the instance gone, and records deaths in the cloud', async () => {
    const w = await world('hotel:1,sierra:2');
    await w.pass();
    w.clock.advance(1500);
    await w.pass();
    const terminations = async () =>
      (await w.store.listActivities(w.user.id, { groupName: 'testDomain1', limit: 50 })).filter((a) =>
        a.description.startsWith('Terminating'),
      );
    await setDesiredCapacity(w.services, w.user, 'testDomain1', 2);
    await w.pass();
    const [scaleIn] = await terminations();
    assert.equal(scaleIn?.statusCode, 'InProgress', 'in progress while the cloud still has the instance');
    assert.match(scaleIn?.cause ?? '', /difference between desired and actual capacity/);
    await w.pass();
    const [done] = await terminations();
    assert.deepEqual(
      [done?.activityId, done?.statusCode, done?.progress, done?.endTime?.toISOString()],
      [scaleIn?.activityId, 'Successful', 100, w.clock.now().toISOString()],
    );

    const victim = w.cloudView().hotel![0]!;
    w.clouds.hotel!.kill(victim, 'host failure');
    await w.pass();
    const died = (await terminations()).find((a) => a.description.endsWith(victim));
    assert.equal(died?.statusCode, 'Successful');
    assert.match(died?.cause ?? '', /its cloud reporting it terminated/);
    assert.equal((await terminations()).filter((a) => a.statusCode === 'InProgress').length, 0);
  });

  it('never launches twice when every launch response is lost', async () => {
    const w = await world('hotel:1,sierra:2');
    for (const sim of Object.values(w.clouds)) sim.setKnobs({ loseLaunchResponseRate: 1 });
    for (let i = 0; i < 4; i++) {
      await w.pass();
      w.clock.advance(1500);
    }
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 });
    assert.equal((await w.store.listIntents({ states: ['pending'] })).length, 0, 'every intent was adopted');
    assert.deepEqual(await w.recordView(), { hotel: ['InService'], sierra: ['InService', 'InService'] });
  });

  it('honours suspended Launch and Terminate, and acts again once they are resumed', async () => {
    const w = await world('hotel:1,sierra:2');
    await setProcessesSuspended(w.services, w.user, 'testDomain1', ['Launch'], true, SCALING_PROCESSES);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 0 }, 'no launch while Launch is suspended');
    await setProcessesSuspended(w.services, w.user, 'testDomain1', ['Launch'], false, SCALING_PROCESSES);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 });
    await setProcessesSuspended(w.services, w.user, 'testDomain1', ['Terminate'], true, SCALING_PROCESSES);
    await setDesiredCapacity(w.services, w.user, 'testDomain1', 1);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 }, 'no scale-in while Terminate is suspended');
    await setProcessesSuspended(w.services, w.user, 'testDomain1', ['Terminate'], false, SCALING_PROCESSES);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 0 });
  });

  it('shows missing credentials as a failed activity naming the cause, and overflows', async () => {
    const w = await world('hotel:2,sierra:-1');
    w.noCredentials.add('hotel');
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 3 });
    const failed = (await w.store.listActivities(w.user.id, { groupName: 'testDomain1', limit: 10 })).filter(
      (a) => a.statusCode === 'Failed',
    );
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.statusMessage ?? '', /No credentials for site hotel/);
  });

  it('backs off a site for the user whose launches it refused, not for everyone', async () => {
    const w = await world('hotel:2,sierra:-1');
    const bob: User = { id: '210987654321', name: 'bob', isAdmin: false, createdTime: w.clock.now(), limits: {} };
    await w.store.createUser(bob);
    for (const site of ['hotel', 'sierra'])
      await createLaunchConfiguration(w.services, bob, {
        name: `testlc1@${site}`,
        imageId: 'hello-cloud',
        instanceType: 'm1.small',
        securityGroups: [],
        instanceMonitoring: false,
        ebsOptimized: false,
      });
    const tags = [
      ['PHANTOM_DEFINITION', 'error_overflow_n_preserving'],
      ['clouds', 'hotel:2,sierra:-1'],
    ].map(([key, value]) => ({ key: key!, value: value!, propagateAtLaunch: false }));
    await createGroup(w.services, bob, {
      name: 'bobDomain',
      launchConfigurationName: 'testlc1@hotel',
      minSize: 2,
      maxSize: 2,
      availabilityZones: ['hotel'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags,
    });
    w.noCredentials.add(`${w.user.id}@hotel`);
    await w.pass();
    assert.deepEqual(counts(w.cloudView()), { hotel: 0, sierra: 3 }, "ann's domain overflows");
    await reconcileDomain(w.deps, bob.id, 'bobDomain', new AbortController().signal);
    assert.deepEqual(
      counts(w.cloudView()),
      { hotel: 2, sierra: 3 },
      "bob's launches on hotel are not held back by ann's missing keys",
    );
  });

  it('releases instances that failed in the cloud and replaces them', async () => {
    const w = await world('hotel:1,sierra:2');
    w.clouds.hotel!.setKnobs({ launchFailureRate: 1 });
    await w.pass();
    w.clouds.hotel!.setKnobs({ launchFailureRate: 0 });
    w.clock.advance(1500);
    const failed = () => w.clouds.hotel!.state.list({}, w.clock.now().getTime()).filter((i) => i.state === 'failed');
    assert.equal(failed().length, 1, 'the hotel instance failed at boot');
    await w.pass();
    assert.equal(failed().length, 0, 'and is terminated, releasing what it held');
    assert.deepEqual(counts(w.cloudView()), { hotel: 1, sierra: 2 }, 'a replacement runs');
  });
});
