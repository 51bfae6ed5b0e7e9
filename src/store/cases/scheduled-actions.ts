import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduledActionRecord } from '../../contracts/records.ts';
import { at, group, T0, withStore, type OpenStore } from './fixtures.ts';

const action = (
  owner: string,
  groupName: string,
  name: string,
  over: Partial<ScheduledActionRecord> = {},
): ScheduledActionRecord => ({
  owner,
  groupName,
  name,
  arn: `arn:phantom:autoscaling:phantom:${owner}:scheduledUpdateGroupAction:u:autoScalingGroupName/${groupName}:scheduledActionName/${name}`,
  desiredCapacity: 2,
  nextRunTime: at(3600),
  createdTime: T0,
  ...over,
});

const full = (owner: string, groupName: string, name: string): ScheduledActionRecord =>
  action(owner, groupName, name, {
    startTime: at(60),
    endTime: at(86_400),
    recurrence: '30 2 * * *',
    timeZone: 'Etc/GMT+9',
    minSize: 0,
    maxSize: 10,
    desiredCapacity: 0,
    nextRunTime: at(60),
  });

const keys = (actions: ScheduledActionRecord[]) => actions.map((a) => `${a.groupName}/${a.name}`);

/** Scheduled actions: round trip, replace, pages, owner isolation, the due index, the run compare-and-set, group cascade. */
export function scheduledActionCases(open: OpenStore): void {
  describe('scheduled actions', () => {
    it('round-trips with optional fields absent and present (zeros kept), and put replaces', () =>
      withStore(open, async (store) => {
        await store.putScheduledAction(action('u1', 'web', 'bare'));
        await store.putScheduledAction(full('u1', 'web', 'full'));
        assert.deepEqual(await store.getScheduledAction('u1', 'web', 'bare'), action('u1', 'web', 'bare'));
        assert.deepEqual(await store.getScheduledAction('u1', 'web', 'full'), full('u1', 'web', 'full'));
        const replaced = action('u1', 'web', 'full', { minSize: 3, nextRunTime: at(7200) });
        await store.putScheduledAction(replaced);
        assert.deepEqual(await store.getScheduledAction('u1', 'web', 'full'), replaced);
        assert.equal(await store.countScheduledActions('u1', 'web'), 2);
        assert.equal(await store.getScheduledAction('u1', 'web', 'none'), undefined);
      }));

    it('lists by (group, name) with names, time window, exclusive after and limit; owners never mix', () =>
      withStore(open, async (store) => {
        for (const [g, n, s] of [
          ['web', 'b', 10],
          ['api', 'z', 20],
          ['web', 'a', 30],
          ['api', 'a', 40],
        ] as const)
          await store.putScheduledAction(action('u1', g, n, { nextRunTime: at(s) }));
        await store.putScheduledAction(action('u2', 'web', 'a'));
        const list = (q: Parameters<typeof store.listScheduledActions>[1]) =>
          store.listScheduledActions('u1', q).then(keys);
        assert.deepEqual(await list({ limit: 10 }), ['api/a', 'api/z', 'web/a', 'web/b']);
        assert.deepEqual(await list({ limit: 2, after: { groupName: 'api', name: 'z' } }), ['web/a', 'web/b']);
        assert.deepEqual(await list({ limit: 10, groupName: 'web' }), ['web/a', 'web/b']);
        assert.deepEqual(await list({ limit: 10, names: ['a', 'nope'] }), ['api/a', 'web/a']);
        assert.deepEqual(await list({ limit: 10, names: [] }), []);
        assert.deepEqual(await list({ limit: 10, from: at(20), to: at(30) }), ['api/z', 'web/a']);
        assert.deepEqual(keys(await store.listScheduledActions('u2', { limit: 10 })), ['web/a']);
        assert.equal(await store.getScheduledAction('u2', 'api', 'z'), undefined);
        assert.equal(await store.deleteScheduledAction('u2', 'api', 'z'), false);
        assert.equal(await store.countScheduledActions('u2', 'api'), 0);
      }));

    it('delete is idempotent', () =>
      withStore(open, async (store) => {
        await store.putScheduledAction(action('u1', 'web', 'a'));
        assert.equal(await store.deleteScheduledAction('u1', 'web', 'a'), true);
        assert.equal(await store.deleteScheduledAction('u1', 'web', 'a'), false);
      }));

    it('lists due actions of every owner, earliest first, bounded', () =>
      withStore(open, async (store) => {
        await store.putScheduledAction(action('u2', 'web', 'late', { nextRunTime: at(30) }));
        await store.putScheduledAction(action('u1', 'web', 'early', { nextRunTime: at(10) }));
        await store.putScheduledAction(action('u1', 'web', 'future', { nextRunTime: at(31) }));
        await store.putScheduledAction(action('u1', 'api', 'same', { nextRunTime: at(30) }));
        assert.deepEqual(keys(await store.listDueScheduledActions(at(30), 10)), ['web/early', 'api/same', 'web/late']);
        assert.deepEqual(keys(await store.listDueScheduledActions(at(30), 1)), ['web/early']);
        assert.deepEqual(await store.listDueScheduledActions(at(9), 10), []);
      }));

    it('finishing a run is compare-and-set on the due time: once only, then moved or deleted', () =>
      withStore(open, async (store) => {
        const a = action('u1', 'web', 'daily', { recurrence: '0 0 * * *', nextRunTime: at(10) });
        await store.putScheduledAction(a);
        assert.equal(await store.finishScheduledRun(a, at(10), at(100)), true);
        assert.equal(await store.finishScheduledRun(a, at(10), at(100)), false);
        assert.deepEqual((await store.getScheduledAction('u1', 'web', 'daily'))?.nextRunTime, at(100));
        assert.equal(await store.finishScheduledRun(a, at(100), undefined), true);
        assert.equal(await store.getScheduledAction('u1', 'web', 'daily'), undefined);
        assert.equal(await store.finishScheduledRun(a, at(100), undefined), false);
      }));

    it('a finished run inside a rolled-back transaction is undone', () =>
      withStore(open, async (store) => {
        const a = action('u1', 'web', 'once', { nextRunTime: at(10) });
        await store.putScheduledAction(a);
        await assert.rejects(
          store.transaction(async (tx) => {
            assert.equal(await tx.finishScheduledRun(a, at(10), undefined), true);
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.deepEqual(await store.getScheduledAction('u1', 'web', 'once'), a);
      }));

    it('deleting a group deletes its actions only', () =>
      withStore(open, async (store) => {
        await store.createGroup(group('u1', 'web'));
        await store.createGroup(group('u1', 'api'));
        await store.putScheduledAction(action('u1', 'web', 'a'));
        await store.putScheduledAction(action('u1', 'api', 'a'));
        await store.putScheduledAction(action('u2', 'web', 'a'));
        assert.equal(await store.deleteGroup('u1', 'web'), true);
        assert.deepEqual(keys(await store.listScheduledActions('u1', { limit: 10 })), ['api/a']);
        assert.equal(await store.countScheduledActions('u2', 'web'), 1);
      }));

    it('writes move the owner change stamp of that owner only', () =>
      withStore(open, async (store) => {
        const mine = store.ownerChangeStamp('u1');
        const theirs = store.ownerChangeStamp('u2');
        await store.putScheduledAction(action('u1', 'web', 'a'));
        const afterPut = store.ownerChangeStamp('u1');
        assert.notEqual(afterPut, mine);
        await store.finishScheduledRun(action('u1', 'web', 'a'), at(3600), at(7200));
        assert.notEqual(store.ownerChangeStamp('u1'), afterPut);
        assert.equal(store.ownerChangeStamp('u2'), theirs);
      }));
  });
}
