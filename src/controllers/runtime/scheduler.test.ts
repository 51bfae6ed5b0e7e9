import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { FixedClock } from '../../contracts/clock.ts';
import type { Store } from '../../contracts/store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { PageTokens } from '../../services/page-tokens.ts';
import { putScheduledAction, type ScheduledActionInput } from '../../services/scheduled-actions.ts';
import { setProcessesSuspended } from '../../services/groups.ts';
import { SCALING_PROCESSES } from '../../domain/processes.ts';
import { group, launchConfiguration, user } from '../../store/cases/fixtures.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { ScheduledActionScheduler } from './scheduler.ts';

const T = (iso: string) => new Date(iso);
const START = T('2026-03-01T00:00:00Z');
const MINUTE = 60_000;

/** A store with user u1 owning group `web` (min 0, max 4, desired 1), a FixedClock at START and a scheduler over them. */
async function setup(maxInstances = 100, store?: Store) {
  const db = store ?? (await openSqliteStore({ file: ':memory:' }));
  const clock = new FixedClock(START);
  const owner = user('u1');
  if (!store) {
    await db.createUser(owner);
    await db.createLaunchConfiguration(launchConfiguration('u1', 'lc1@hotel'));
    await db.createGroup(group('u1', 'web', { availabilityZones: ['us-east-1'] }));
  }
  const deps: ServiceDeps = {
    store: db,
    clock,
    sites: () => ['hotel'],
    defaultLimits: { maxGroups: 10, maxLaunchConfigurations: 10, maxInstances },
    pageTokens: new PageTokens(Buffer.alloc(32)),
  };
  const changed: string[] = [];
  const scheduler = new ScheduledActionScheduler({
    deps,
    intervalMs: 3_600_000,
    log: pino({ level: 'silent' }),
    onChanged: (o, g) => changed.push(`${o}/${g}`),
  });
  const put = (input: ScheduledActionInput) => putScheduledAction(deps, owner, 'web', input);
  const sizes = async () => {
    const g = (await db.getGroup('u1', 'web'))!;
    return [g.minSize, g.maxSize, g.desiredCapacity];
  };
  const activities = () => db.listActivities('u1', { groupName: 'web', limit: 100 });
  return { db, clock, deps, owner, scheduler, changed, put, sizes, activities };
}

describe('scheduled action scheduler', () => {
  it('runs a one-off at its time (not before), records AWS-worded activity, deletes it, enqueues the group', async () => {
    const t = await setup();
    await t.put({ name: 'burst', startTime: T('2026-03-01T00:10:00Z'), minSize: 1, maxSize: 5, desiredCapacity: 3 });
    t.clock.advance(9 * MINUTE);
    assert.deepEqual(await t.scheduler.poll(), { applied: 0, failed: 0, skipped: 0, stale: 0 });
    assert.deepEqual(await t.sizes(), [0, 4, 1]);
    t.clock.advance(MINUTE + 2000);
    assert.equal((await t.scheduler.poll()).applied, 1);
    assert.deepEqual(await t.sizes(), [1, 5, 3]);
    assert.deepEqual(t.changed, ['u1/web']);
    assert.equal(await t.db.getScheduledAction('u1', 'web', 'burst'), undefined);
    const [activity] = await t.activities();
    assert.equal(activity?.statusCode, 'Successful');
    assert.equal(
      activity?.cause,
      'At 2026-03-01T00:10:00Z a scheduled action update of AutoScalingGroup constraints to min: 1, max: 5, desired: 3 changing the desired capacity from 1 to 3.  At 2026-03-01T00:10:02Z the scheduled action burst executed.',
    );
    assert.equal((await t.scheduler.poll()).applied, 0, 'a one-off runs once');
  });

  it('moves a recurring action to its next run, once per due time, and deletes it past its EndTime', async () => {
    const t = await setup();
    await t.put({ name: 'hourly', recurrence: '0 * * * *', desiredCapacity: 2, endTime: T('2026-03-01T02:30:00Z') });
    assert.deepEqual((await t.db.getScheduledAction('u1', 'web', 'hourly'))?.nextRunTime, T('2026-03-01T01:00:00Z'));
    t.clock.set(T('2026-03-01T01:00:30Z'));
    const [a, b] = await Promise.all([t.scheduler.poll(), t.scheduler.poll()]);
    assert.equal(a, b, 'a second poll joins the running one');
    assert.equal(a.applied, 1);
    assert.deepEqual((await t.db.getScheduledAction('u1', 'web', 'hourly'))?.nextRunTime, T('2026-03-01T02:00:00Z'));
    t.clock.set(T('2026-03-01T02:00:00Z'));
    assert.equal((await t.scheduler.poll()).applied, 1);
    assert.equal(await t.db.getScheduledAction('u1', 'web', 'hourly'), undefined, 'next run 03:00 is past EndTime');
    assert.equal((await t.activities()).length, 2);
  });

  it('two schedulers on one store apply a due run once', async () => {
    const t = await setup();
    const other = await setup(100, t.db);
    await t.put({ name: 'once', startTime: T('2026-03-01T00:05:00Z'), desiredCapacity: 4 });
    t.clock.advance(10 * MINUTE);
    other.clock.advance(10 * MINUTE);
    const reports = await Promise.all([t.scheduler.poll(), other.scheduler.poll()]);
    assert.equal(reports[0].applied + reports[1].applied, 1);
    assert.equal((await t.activities()).length, 1);
  });

  it('a refusal (the instance limit) becomes a Failed activity; the action moves on; nothing crashes', async () => {
    const t = await setup(2);
    await t.put({ name: 'too-big', startTime: T('2026-03-01T00:01:00Z'), desiredCapacity: 4 });
    t.clock.advance(2 * MINUTE);
    assert.deepEqual(await t.scheduler.poll(), { applied: 0, failed: 1, skipped: 0, stale: 0 });
    assert.deepEqual(await t.sizes(), [0, 4, 1]);
    const [activity] = await t.activities();
    assert.equal(activity?.statusCode, 'Failed');
    assert.match(activity?.statusMessage ?? '', /Instance limit exceeded: user name-u1 may run at most 2 instances/);
    assert.match(activity?.cause ?? '', /constraints to desired: 4 was refused/);
    assert.equal(await t.db.getScheduledAction('u1', 'web', 'too-big'), undefined);
    assert.deepEqual(t.changed, []);
  });

  it('a desired capacity outside the group bounds is refused like UpdateAutoScalingGroup refuses it', async () => {
    const t = await setup();
    await t.put({ name: 'above-max', startTime: T('2026-03-01T00:01:00Z'), desiredCapacity: 9 });
    t.clock.advance(2 * MINUTE);
    assert.equal((await t.scheduler.poll()).failed, 1);
    assert.match((await t.activities())[0]?.statusMessage ?? '', /Desired capacity:9 must be between/);
  });

  it('a suspended ScheduledActions process skips due runs (not run on resume); later runs go ahead', async () => {
    const t = await setup();
    await t.put({ name: 'daily', recurrence: '0 6 * * *', desiredCapacity: 3 });
    await setProcessesSuspended(t.deps, t.owner, 'web', ['ScheduledActions'], true, SCALING_PROCESSES);
    t.clock.set(T('2026-03-01T06:00:10Z'));
    assert.deepEqual(await t.scheduler.poll(), { applied: 0, failed: 0, skipped: 1, stale: 0 });
    assert.deepEqual(await t.sizes(), [0, 4, 1]);
    assert.deepEqual(await t.activities(), []);
    await setProcessesSuspended(t.deps, t.owner, 'web', ['ScheduledActions'], false, SCALING_PROCESSES);
    assert.equal((await t.scheduler.poll()).applied, 0, 'the skipped run is not made up on resume');
    t.clock.set(T('2026-03-02T06:00:00Z'));
    assert.equal((await t.scheduler.poll()).applied, 1);
    assert.deepEqual(await t.sizes(), [0, 4, 3]);
  });

  it('a run whose transaction fails writes nothing and stays due: applied once, at the next poll', async () => {
    const t = await setup();
    await t.put({ name: 'once', startTime: T('2026-03-01T00:01:00Z'), desiredCapacity: 2 });
    t.clock.advance(2 * MINUTE);
    let fail = true;
    const failing = new Proxy(t.db, {
      get(target, key, receiver) {
        if (key !== 'transaction') return Reflect.get(target, key, receiver) as unknown;
        return <R>(fn: (tx: Store) => Promise<R>) =>
          target.transaction((tx) =>
            fn(
              new Proxy(tx, {
                get(inner, k, r) {
                  if (k === 'putActivity' && fail)
                    return async () => {
                      throw new Error('disk full');
                    };
                  return Reflect.get(inner, k, r) as unknown;
                },
              }),
            ),
          );
      },
    });
    t.deps.store = failing;
    assert.equal((await t.scheduler.poll()).applied, 0);
    assert.deepEqual(await t.sizes(), [0, 4, 1], 'the size change was rolled back with the advance');
    assert.ok(await t.db.getScheduledAction('u1', 'web', 'once'), 'still due');
    fail = false;
    assert.equal((await t.scheduler.poll()).applied, 1);
    assert.deepEqual(await t.sizes(), [0, 4, 2]);
    assert.equal((await t.scheduler.poll()).applied, 0);
  });

  it('deleting the group deletes its actions: nothing is due afterwards', async () => {
    const t = await setup();
    await t.put({ name: 'once', startTime: T('2026-03-01T00:01:00Z'), desiredCapacity: 2 });
    await t.db.deleteGroup('u1', 'web');
    t.clock.advance(2 * MINUTE);
    assert.deepEqual(await t.db.listDueScheduledActions(t.clock.now(), 10), []);
  });
});
