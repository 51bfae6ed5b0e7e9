/**
 * A domain over hotel and sierra (the default simulated sites of a fresh `npm start`) with
 * target tracking on ASGAverageCPUUtilization follows a demand step of its simulated instances:
 * out within 2 minutes of the step, overflowing to sierra at hotel's cap, and back in after the
 * demand falls. In process, with the controller on and a FixedClock moved 10 s at a time; the
 * demand metrics and alarm rounds are driven by hand (as their timers would run them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FixedClock } from '../../src/contracts/clock.ts';
import type { User } from '../../src/contracts/records.ts';
import { createGroup } from '../../src/services/groups.ts';
import { createLaunchConfiguration } from '../../src/services/launch-configurations.ts';
import { PageTokens } from '../../src/services/page-tokens.ts';
import { putScalingPolicy } from '../../src/services/policies.ts';
import type { ServiceDeps } from '../../src/services/deps.ts';
import { eventually } from '../support/eventually.ts';
import { startTestServer, type TestServer } from '../support/harness.ts';

describe('a domain with target tracking on CPU follows the demand of its simulated instances', () => {
  const start = new Date('2026-12-08T10:00:01Z');
  const clock = new FixedClock(start);
  let server: TestServer;
  let deps: ServiceDeps;
  let user: User;

  before(async () => {
    server = await startTestServer({ clock, env: { PHANTOM_CONTROLLER: 'on', PHANTOM_RECONCILE_INTERVAL_MS: '100' } });
    await server.addUser('dora');
    const data = server.running.dataDir;
    user = (await data.store.getUserByName('dora'))!;
    deps = {
      store: data.store,
      clock,
      sites: () => data.sites.names(),
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 100 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
    for (const site of ['hotel', 'sierra'])
      await createLaunchConfiguration(deps, user, {
        name: `web@${site}`,
        imageId: 'hello-cloud',
        instanceType: 'm1.small',
        securityGroups: [],
        instanceMonitoring: false,
        ebsOptimized: false,
      });
    const tags = {
      PHANTOM_DEFINITION: 'error_overflow_n_preserving',
      clouds: 'hotel:2,sierra:-1',
      // 40 % on one instance; at 3 min 250 % (two and a half instances' worth); at 12 min 30 %.
      phantom_demand: `steps@${start.toISOString().replace('.000', '')}:0m=40,3m=250,12m=30`,
    };
    await createGroup(deps, user, {
      name: 'shop',
      launchConfigurationName: 'web@hotel',
      minSize: 1,
      maxSize: 8,
      desiredCapacity: 1,
      availabilityZones: [],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
    });
    await putScalingPolicy(deps, user, 'shop', {
      policyName: 'cpu50',
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: 0,
      targetTracking: { targetValue: 50, predefined: { predefinedMetricType: 'ASGAverageCPUUtilization' } },
    });
  });
  after(() => server.close());

  const group = async () => (await deps.store.getGroup(user.id, 'shop'))!;
  const instances = () => deps.store.listInstances(user.id, { groupName: 'shop' });
  /** Lets the controller bring the instances to the desired capacity, all InService. */
  const settle = async () => {
    const want = (await group()).desiredCapacity;
    await eventually(`${want} instances in service`, async () => {
      const all = await instances();
      return all.length === want && all.every((i) => i.lifecycleState === 'InService') ? true : undefined;
    });
  };
  /** Ten seconds of the world: the instances report, the alarms are evaluated, the controller follows. */
  const tick = async () => {
    const loops = server.running.loops!;
    await loops.demand.round();
    clock.advance(10_000);
    await loops.alarms.round();
    await settle();
  };
  const elapsed = () => (clock.now().getTime() - start.getTime()) / 1000;

  it('scales out within 2 minutes of the step, overflowing to sierra, and back in after the drop', async () => {
    await settle();
    while (elapsed() < 180) await tick();
    assert.equal((await group()).desiredCapacity, 1, 'at 40 % one instance is enough');
    while ((await group()).desiredCapacity === 1 && elapsed() < 600) await tick();
    assert.ok(elapsed() - 180 <= 120, `first scale-out ${elapsed() - 180} s after the step`);
    while (elapsed() < 12 * 60) await tick();
    const peak = (await group()).desiredCapacity;
    assert.ok(peak >= 5, `250 % at a 50 % target needs 5 instances, got ${peak}`);
    const sites = (await instances()).map((i) => i.site);
    assert.equal(sites.filter((s) => s === 'hotel').length, 2, "hotel's cap");
    assert.equal(sites.filter((s) => s === 'sierra').length, peak - 2, 'the rest overflowed to sierra');
    while ((await group()).desiredCapacity === peak && elapsed() < 30 * 60) await tick();
    assert.ok((await group()).desiredCapacity < peak, 'scaled back in after the demand fell');
  });
});
