import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FixedClock } from '../../contracts/clock.ts';
import type { Store } from '../../contracts/store.ts';
import { MetricStore } from '../../metrics/store/metric-store.ts';
import { group, instance, user } from '../../store/cases/fixtures.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { captureLog } from '../../../test/support/log-capture.ts';
import { DemandPublisher } from './demand-metrics.ts';

const T0 = new Date('2026-12-08T10:00:00Z');

describe('DemandPublisher', () => {
  let store: Store;
  let clock: FixedClock;
  let metrics: MetricStore;
  const demand = (text: string) => [{ key: 'phantom_demand', value: text, propagateAtLaunch: false }];
  /** The group's 10-second CPUUtilization averages, oldest first, over the last `n` closed periods. */
  const groupCpu = (owner: string, name: string, n = 1) =>
    metrics
      .windows(
        owner,
        {
          namespace: 'AWS/EC2',
          metricName: 'CPUUtilization',
          dimensions: [{ name: 'AutoScalingGroupName', value: name }],
        },
        10,
        clock.now().getTime(),
        n,
      )
      .map((w) => (w ? w.sum / w.sampleCount : undefined));

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    clock = new FixedClock(T0);
    metrics = new MetricStore({ clock });
    for (const owner of ['u1', 'u2']) await store.createUser(user(owner));
  });
  afterEach(() => store.close());

  const publisher = (log = pino({ level: 'silent' })) =>
    new DemandPublisher({ store, metrics, clock, log, isSimSite: (site) => site !== 'ec2-east' });

  it("spreads the model's demand over the group's InService simulated instances", async () => {
    await store.createGroup(group('u1', 'web', { tags: demand('steps@2026-12-08T10:00:00Z:0m=150,1m=400') }));
    await store.putInstance(instance('u1', 'web', 'i-1'));
    await store.putInstance(instance('u1', 'web', 'i-2', { site: 'sierra' }));
    await store.putInstance(instance('u1', 'web', 'i-3', { site: 'sierra' }));
    await store.putInstance(instance('u1', 'web', 'i-4', { lifecycleState: 'Pending' }));
    await store.putInstance(instance('u1', 'web', 'i-5', { site: 'ec2-east' }));
    const p = publisher();
    assert.deepEqual(
      await p.round(),
      { groups: 1, samples: 6 },
      'three instances, each under InstanceId and the group',
    );
    clock.advance(10_000);
    assert.deepEqual(groupCpu('u1', 'web'), [50]);
    clock.advance(50_000);
    await p.round();
    clock.advance(10_000);
    assert.deepEqual(groupCpu('u1', 'web'), [100], 'demand 400 over 3 instances is capped at 100 %');
    const perInstance = metrics.windows(
      'u1',
      { namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensions: [{ name: 'InstanceId', value: 'i-2' }] },
      10,
      clock.now().getTime(),
      1,
    );
    assert.equal(perInstance[0]?.maximum, 100);
  });

  it('keeps owners apart, skips groups without a model, and logs a model that no longer parses', async () => {
    await store.createGroup(group('u1', 'web', { tags: demand('constant:100') }));
    await store.createGroup(group('u2', 'web', { tags: demand('constant:30') }));
    await store.createGroup(group('u2', 'plain'));
    await store.createGroup(group('u2', 'broken', { tags: demand('linear:5') }));
    for (const [owner, name, id] of [
      ['u1', 'web', 'a'],
      ['u2', 'web', 'b'],
      ['u2', 'plain', 'c'],
      ['u2', 'broken', 'd'],
    ] as const)
      await store.putInstance(instance(owner, name, `i-${id}`));
    const logs = captureLog();
    const report = await publisher(logs.log).round();
    assert.deepEqual(report, { groups: 2, samples: 4 });
    clock.advance(10_000);
    assert.deepEqual(groupCpu('u1', 'web'), [100]);
    assert.deepEqual(groupCpu('u2', 'web'), [30]);
    assert.deepEqual(groupCpu('u2', 'plain'), [undefined]);
    assert.equal(logs.lines.filter((l) => l.msg === 'demand model ignored').length, 1);
  });

  it('reports nothing for a group with no instance in service', async () => {
    await store.createGroup(group('u1', 'web', { tags: demand('constant:100') }));
    assert.deepEqual(await publisher().round(), { groups: 1, samples: 0 });
  });
});
