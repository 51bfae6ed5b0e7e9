/** A small world for reconciler tests: a SQLite store in memory, simulated sites, a fixed clock. */
import type { CloudDriver } from '../../contracts/cloud.ts';
import { FixedClock } from '../../contracts/clock.ts';
import type { DecisionEvent, ReconcileResult } from '../../contracts/reconcile.ts';
import type { ActivityRecord, User } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { openSimCloud, type SimCloud } from '../../drivers/sim/open.ts';
import { seededRandom } from '../../lib/random.ts';
import { EngineRegistry } from '../../engines/registry.ts';
import { PageTokens } from '../../services/page-tokens.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { createGroup } from '../../services/groups.ts';
import { createLaunchConfiguration } from '../../services/launch-configurations.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { reconcileDomain } from '../domain-reconciler.ts';
import { SiteBackoff } from '../runtime/backoff.ts';
import type { ReconcilerDeps } from './deps.ts';
import { ShortfallEpisodes } from './shortfall.ts';

export interface TestWorld {
  store: Store;
  clock: FixedClock;
  user: User;
  sims: Record<string, SimCloud>;
  services: ServiceDeps;
  deps: ReconcilerDeps;
  /** Every decision reported, in order. */
  events: DecisionEvent[];
  /** Drivers used instead of the sim's, by site. */
  drivers: Record<string, CloudDriver>;
  pass(group?: string): Promise<ReconcileResult>;
  /** Site → count of instances the cloud runs (pending or running). */
  running(): Record<string, number>;
  activities(group?: string): Promise<ActivityRecord[]>;
}

export interface TestWorldOptions {
  /** Sites (default hotel, sierra). */
  sites?: string[];
  /** The domain's clouds tag (e.g. `hotel:2,sierra:-1`); the group is `web`. */
  clouds: string;
  desired: number;
  /** Extra group tags. */
  tags?: Record<string, string>;
  /** Sites with no launch configuration entry (`web@site` is not created). */
  withoutEntry?: string[];
  healthCheckGracePeriod?: number;
  bootMs?: number;
}

/** The start of every controller test world: an in-memory store, a fixed clock, the user ann and the services over them. */
export async function serviceWorld(
  sites: readonly string[],
  over: Partial<ServiceDeps> = {},
): Promise<{ store: Store; clock: FixedClock; user: User; services: ServiceDeps }> {
  const store = await openSqliteStore({ file: ':memory:' });
  const clock = new FixedClock(new Date('2026-11-25T12:00:00Z'));
  const user: User = { id: '123456789012', name: 'ann', isAdmin: false, createdTime: clock.now(), limits: {} };
  await store.createUser(user);
  const services: ServiceDeps = {
    store,
    clock,
    sites: () => sites,
    defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 100_000 },
    pageTokens: new PageTokens(Buffer.alloc(32)),
    ...over,
  };
  return { store, clock, user, services };
}

/** Creates `base@site` for each site: one multi-cloud launch configuration (image hello-cloud, m1.small). */
export async function createSiteEntries(
  services: ServiceDeps,
  user: User,
  base: string,
  sites: readonly string[],
  userData?: string,
): Promise<void> {
  for (const site of sites)
    await createLaunchConfiguration(services, user, {
      name: `${base}@${site}`,
      imageId: 'hello-cloud',
      instanceType: 'm1.small',
      securityGroups: [],
      instanceMonitoring: false,
      ebsOptimized: false,
      ...(userData === undefined ? {} : { userData }),
    });
}

/** Group tags from key/value pairs (none propagated at launch). */
export const groupTags = (pairs: Record<string, string>) =>
  Object.entries(pairs).map(([key, value]) => ({ key, value, propagateAtLaunch: false }));

export async function testWorld(options: TestWorldOptions): Promise<TestWorld> {
  const sites = options.sites ?? ['hotel', 'sierra'];
  const { store, clock, user, services } = await serviceWorld(sites, {
    defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 1000 },
  });
  const sims: Record<string, SimCloud> = {};
  for (const site of sites)
    sims[site] = openSimCloud({
      site,
      clock,
      random: seededRandom(site.length),
      knobs: { bootMs: options.bootMs ?? 0 },
    });
  const withoutEntry = new Set(options.withoutEntry);
  await createSiteEntries(
    services,
    user,
    'web',
    sites.filter((site) => !withoutEntry.has(site)),
  );
  const tags = groupTags({
    PHANTOM_DEFINITION: 'error_overflow_n_preserving',
    clouds: options.clouds,
    ...options.tags,
  });
  await createGroup(services, user, {
    name: 'web',
    launchConfigurationName: `web@${sites[0]}`,
    minSize: options.desired,
    maxSize: options.desired,
    availabilityZones: [sites[0]!],
    loadBalancerNames: [],
    targetGroupARNs: [],
    healthCheckGracePeriod: options.healthCheckGracePeriod ?? 0,
    tags,
  });
  const events: DecisionEvent[] = [];
  const drivers: Record<string, CloudDriver> = {};
  let next = 0;
  const deps: ReconcilerDeps = {
    store,
    clock,
    installationId: 'install-1',
    driverFor: async (_owner, site) => drivers[site] ?? sims[site]!.driver,
    backoff: new SiteBackoff({ initialMs: 10_000, maxMs: 300_000 }),
    engines: new EngineRegistry(),
    knownSites: () => sites,
    newIntentId: () => `intent-${++next}`,
    graceMs: 60_000,
    events: { decision: (e) => events.push(e), pass: () => undefined, cloudCall: () => undefined },
    shortfalls: new ShortfallEpisodes(),
  };
  const signal = new AbortController().signal;
  return {
    store,
    clock,
    user,
    sims,
    services,
    deps,
    events,
    drivers,
    pass: (group = 'web') => reconcileDomain(deps, user.id, group, signal),
    running: () =>
      Object.fromEntries(
        Object.entries(sims).map(([site, sim]) => [
          site,
          sim.state.list({}, clock.now().getTime()).filter((i) => i.state === 'pending' || i.state === 'running')
            .length,
        ]),
      ),
    activities: (group = 'web') => store.listActivities(user.id, { groupName: group, limit: 10_000 }),
  };
}
