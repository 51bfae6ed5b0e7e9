import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import type { User } from '../contracts/records.ts';
import { PageTokens } from './page-tokens.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ServiceDeps } from './deps.ts';
import { createGroup, deleteGroup, setDesiredCapacity, updateGroup, type NewGroup } from './groups.ts';
import { createLaunchConfiguration } from './launch-configurations.ts';

const limitExceeded =
  (total: number, limit = 10) =>
  (e: Error & { code?: string }) => {
    assert.equal(e.code, 'LimitExceeded');
    assert.equal(
      e.message,
      `Instance limit exceeded: user ann may run at most ${limit} instances (desired capacities would total ${total}).`,
    );
    return true;
  };

const domainTags = [
  { key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false },
  { key: 'clouds', value: 'hotel:-1', propagateAtLaunch: false },
];

describe('per-user instance limit', () => {
  let services: ServiceDeps;
  let user: User;
  const group = (name: string, size: number, extra: Partial<NewGroup> = {}): NewGroup => ({
    name,
    launchConfigurationName: 'lc@hotel',
    minSize: 0,
    maxSize: 100,
    desiredCapacity: size,
    availabilityZones: ['us-east-1'],
    loadBalancerNames: [],
    targetGroupARNs: [],
    tags: [],
    ...extra,
  });

  beforeEach(async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const clock = new FixedClock(new Date('2026-12-01T00:00:00Z'));
    user = { id: '123456789012', name: 'ann', isAdmin: false, createdTime: clock.now(), limits: {} };
    await store.createUser(user);
    services = {
      store,
      clock,
      sites: () => ['hotel'],
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 10 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
    await createLaunchConfiguration(services, user, {
      name: 'lc@hotel',
      imageId: 'img',
      instanceType: 'small',
      securityGroups: [],
      instanceMonitoring: false,
      ebsOptimized: false,
    });
    await createGroup(services, user, group('a', 6));
  });

  const desiredOf = async (name: string) => (await services.store.getGroup(user.id, name))?.desiredCapacity;

  it('CreateAutoScalingGroup: up to the limit is accepted, one more is refused and nothing is stored', async () => {
    await createGroup(services, user, group('b', 4));
    await assert.rejects(createGroup(services, user, group('c', 1)), limitExceeded(11));
    assert.equal(await services.store.getGroup(user.id, 'c'), undefined);
  });

  it('CreateAutoScalingGroup without a desired capacity counts its MinSize', async () => {
    await assert.rejects(
      createGroup(services, user, group('b', 0, { desiredCapacity: undefined, minSize: 5 })),
      limitExceeded(11),
    );
  });

  it('SetDesiredCapacity on a plain group and on a domain (which pins min and max)', async () => {
    await assert.rejects(setDesiredCapacity(services, user, 'a', 11), limitExceeded(11));
    await setDesiredCapacity(services, user, 'a', 10);
    await setDesiredCapacity(services, user, 'a', 2);
    await createGroup(services, user, group('dom', 3, { minSize: 3, maxSize: 3, tags: domainTags }));
    await assert.rejects(setDesiredCapacity(services, user, 'dom', 2147483647), limitExceeded(2147483649));
    assert.equal(await desiredOf('dom'), 3);
  });

  it('UpdateAutoScalingGroup: raising desired or a MinSize that drags desired up is refused', async () => {
    await assert.rejects(updateGroup(services, user, 'a', { desiredCapacity: 12 }), limitExceeded(12));
    await assert.rejects(updateGroup(services, user, 'a', { minSize: 20 }), limitExceeded(20));
    await updateGroup(services, user, 'a', { minSize: 10 });
    assert.equal(await desiredOf('a'), 10);
  });

  it('lowering is always allowed, even for a user already above a lowered limit', async () => {
    await createGroup(services, user, group('b', 4));
    await services.store.setUserLimits(user.id, { maxInstances: 3 });
    user = { ...user, limits: { maxInstances: 3 } };
    await setDesiredCapacity(services, user, 'a', 5);
    await updateGroup(services, user, 'b', { desiredCapacity: 4 });
    await assert.rejects(setDesiredCapacity(services, user, 'a', 6), limitExceeded(10, 3));
    assert.equal(await desiredOf('a'), 5);
  });

  it("a user's override replaces the default", async () => {
    user = { ...user, limits: { maxInstances: 50 } };
    await setDesiredCapacity(services, user, 'a', 50);
    await assert.rejects(createGroup(services, user, group('b', 1)), limitExceeded(51, 50));
  });

  it('a group being deleted counts 0', async () => {
    await services.store.putInstance({
      owner: user.id,
      groupName: 'a',
      instanceId: 'i-1',
      site: 'hotel',
      lifecycleState: 'InService',
      healthStatus: 'Healthy',
      launchConfigurationName: 'lc@hotel',
      protectedFromScaleIn: false,
      createdTime: services.clock.now(),
    });
    await deleteGroup(services, user, 'a', true);
    assert.equal((await services.store.getGroup(user.id, 'a'))?.deleting, true);
    await createGroup(services, user, group('b', 10));
  });
});
