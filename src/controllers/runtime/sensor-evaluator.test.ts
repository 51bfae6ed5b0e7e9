import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FixedClock } from '../../contracts/clock.ts';
import type { User } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { MetricStore } from '../../metrics/store/metric-store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { createGroup, setProcessesSuspended } from '../../services/groups.ts';
import { createLaunchConfiguration } from '../../services/launch-configurations.ts';
import { PageTokens } from '../../services/page-tokens.ts';
import { instance } from '../../store/cases/fixtures.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { SCALING_PROCESSES } from '../../domain/processes.ts';
import { SensorEvaluator } from './sensor-evaluator.ts';

const T0 = new Date('2026-12-08T10:00:30Z');
/** The original's sensor_asg_create.py tags (load above 2 adds one VM, below 0.5 removes one). */
const sensorTags = (extra: Record<string, string> = {}) =>
  Object.entries({
    PHANTOM_DEFINITION: 'sensor_engine',
    sensor_type: 'opentsdb',
    metric: 'load',
    sample_function: 'Average',
    scale_up_threshold: '2.0',
    scale_up_n_vms: '1',
    scale_down_threshold: '0.5',
    scale_down_n_vms: '1',
    cooldown_period: '60',
    ...extra,
  }).map(([key, value]) => ({ key, value, propagateAtLaunch: false }));

describe('SensorEvaluator', () => {
  let store: Store;
  let clock: FixedClock;
  let metrics: MetricStore;
  let deps: ServiceDeps;
  let evaluator: SensorEvaluator;
  let changed: string[];
  const ann: User = { id: 'ann', name: 'ann', isAdmin: false, createdTime: T0, limits: {} };
  const bob: User = { ...ann, id: 'bob', name: 'bob' };

  /** `load` of each instance for the current minute. */
  const report = (owner: string, values: Record<string, number>) =>
    metrics.put(
      owner,
      'Phantom',
      Object.entries(values).map(([id, v]) => ({
        metricName: 'load',
        dimensions: [{ name: 'InstanceId', value: id }],
        timestampMs: clock.now().getTime(),
        stats: { sampleCount: 1, sum: v, minimum: v, maximum: v },
        unit: 'None',
        highResolution: false,
      })),
    );
  /** Reports, closes the minute, runs a round; returns the desired capacity after it. */
  const minute = async (owner: string, values: Record<string, number>) => {
    report(owner, values);
    clock.advance(60_000);
    await evaluator.round();
    return (await store.getGroup(owner, 'sensed'))!.desiredCapacity;
  };

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(T0);
    metrics = new MetricStore({ clock });
    deps = {
      store,
      clock,
      sites: () => ['hotel'],
      defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances: 3 },
      pageTokens: new PageTokens(Buffer.alloc(32)),
    };
    changed = [];
    for (const u of [ann, bob]) {
      await store.createUser(u);
      await createLaunchConfiguration(deps, u, {
        name: 'lc@hotel',
        imageId: 'img',
        instanceType: 'small',
        securityGroups: [],
        instanceMonitoring: false,
        ebsOptimized: false,
      });
      await createGroup(deps, u, {
        name: 'sensed',
        launchConfigurationName: 'lc@hotel',
        minSize: 1,
        maxSize: 4,
        desiredCapacity: 1,
        availabilityZones: [],
        loadBalancerNames: [],
        targetGroupARNs: [],
        tags: sensorTags(),
      });
      await store.putInstance(instance(u.id, 'sensed', `i-${u.id}-1`));
    }
    evaluator = new SensorEvaluator({
      deps,
      metrics,
      log: pino({ level: 'silent' }),
      onChanged: (owner, group) => changed.push(`${owner}/${group}`),
    });
  });
  afterEach(() => store.close());

  it('scales up above the threshold, waits out the cooldown, and counts an instance without data as 0', async () => {
    assert.equal(await minute('ann', { 'i-ann-1': 3 }), 2);
    assert.deepEqual(changed, ['ann/sensed']);
    const [activity] = await store.listActivities('ann', { groupName: 'sensed', limit: 1 });
    assert.match(
      activity!.cause,
      /sensor rule of AutoScalingGroup sensed \(average load 3; thresholds 0.5\/2: 1 → 2\) changed the desired capacity from 1 to 2/,
    );
    await store.putInstance(instance('ann', 'sensed', 'i-ann-2'));
    clock.advance(10_000); // past the 60 s cooldown

    assert.equal(await minute('ann', { 'i-ann-1': 3 }), 2, 'i-ann-2 has no data: (3 + 0) / 2 = 1.5 is below 2');
    assert.equal(await minute('ann', { 'i-ann-1': 3, 'i-ann-2': 3 }), 3);
    assert.equal((await store.getGroup('bob', 'sensed'))!.desiredCapacity, 1, "ann's metrics never move bob's domain");
  });

  it('scales down below the threshold, never past MinSize', async () => {
    assert.equal(await minute('bob', { 'i-bob-1': 0.1 }), 1, 'already at MinSize');
    assert.equal(await minute('bob', { 'i-bob-1': 2.5 }), 2);
    clock.advance(61_000);
    assert.equal(await minute('bob', { 'i-bob-1': 0.1 }), 1);
  });

  it('refuses a change beyond the instance limit with a Failed activity', async () => {
    await store.updateGroup({ ...(await store.getGroup('ann', 'sensed'))!, desiredCapacity: 3 });
    assert.equal(await minute('ann', { 'i-ann-1': 9 }), 3);
    const [activity] = await store.listActivities('ann', { groupName: 'sensed', limit: 1 });
    assert.equal(activity!.statusCode, 'Failed');
    assert.match(activity!.statusMessage ?? '', /at most 3 instances/);
  });

  it('leaves a domain alone while its AlarmNotification process is suspended', async () => {
    await setProcessesSuspended(deps, ann, 'sensed', ['AlarmNotification'], true, SCALING_PROCESSES);
    assert.equal(await minute('ann', { 'i-ann-1': 9 }), 1);
    assert.deepEqual(changed, []);
  });
});
