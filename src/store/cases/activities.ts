import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityRecord } from '../../contracts/records.ts';
import { cursorOf } from '../activity-cursor.ts';
import { activity, at, rejectsWith, withStore, type OpenStore } from './fixtures.ts';

const ALL = Number.MAX_SAFE_INTEGER;
const ids = (records: readonly ActivityRecord[]): string[] => records.map((a) => a.activityId);

/** Contract cases: scaling activities, their order and cursor. */
export function activityCases(open: OpenStore): void {
  describe('activities', () => {
    it('round-trips every field, optional fields absent and present', () =>
      withStore(open, async (store) => {
        const running = activity('u1', 'g1', 'a-1', at(1));
        const done = activity('u1', 'g1', 'a-2', at(0.5), {
          endTime: at(61.007),
          statusCode: 'Failed',
          statusMessage: 'capacity: no room on hotel',
          progress: 100,
          details: '{"Subnet ID":"","Availability Zone":"hotel"}',
        });
        await store.putActivity(running);
        await store.putActivity(done);
        assert.deepEqual(await store.listActivities('u1', { limit: ALL }), [running, done]);
      }));

    it('replaces every field on a second put of the same id', () =>
      withStore(open, async (store) => {
        await store.putActivity(activity('u1', 'g1', 'a-1', at(1), { statusMessage: 'starting', details: 'x' }));
        const finished = activity('u1', 'g1', 'a-1', at(1), {
          statusCode: 'Successful',
          progress: 100,
          endTime: at(2),
        });
        await store.putActivity(finished);
        assert.deepEqual(await store.listActivities('u1', { limit: ALL }), [finished]);
      }));

    it('lists newest first by (startTime, activityId), filtered by group and ids', () =>
      withStore(open, async (store) => {
        const rows = [
          activity('u1', 'g1', 'a-1', at(1)),
          activity('u1', 'g2', 'a-2', at(3)),
          activity('u1', 'g1', 'a-4', at(2)),
          activity('u1', 'g1', 'a-3', at(2)),
          activity('u1', 'g1', 'a-5', at(2.001)),
        ];
        for (const a of rows) await store.putActivity(a);
        assert.deepEqual(ids(await store.listActivities('u1', { limit: ALL })), ['a-2', 'a-5', 'a-4', 'a-3', 'a-1']);
        assert.deepEqual(ids(await store.listActivities('u1', { groupName: 'g1', limit: ALL })), [
          'a-5',
          'a-4',
          'a-3',
          'a-1',
        ]);
        assert.deepEqual(ids(await store.listActivities('u1', { groupName: 'g1', limit: 2 })), ['a-5', 'a-4']);
        assert.deepEqual(ids(await store.listActivities('u1', { activityIds: ['a-1', 'a-2', 'a-9'], limit: ALL })), [
          'a-2',
          'a-1',
        ]);
        assert.deepEqual(
          ids(await store.listActivities('u1', { activityIds: ['a-1', 'a-2'], groupName: 'g1', limit: ALL })),
          ['a-1'],
        );
        assert.deepEqual(await store.listActivities('u1', { activityIds: [], limit: ALL }), []);
      }));

    it('continues strictly after a cursor, across equal start times, until exhausted', () =>
      withStore(open, async (store) => {
        const rows = [at(1), at(2), at(2), at(2), at(3)].map((t, n) => activity('u1', 'g1', `a-${n}`, t));
        for (const a of rows) await store.putActivity(a);
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.listActivities('u1', {
            groupName: 'g1',
            limit: 2,
            ...(after === undefined ? {} : { after }),
          });
          if (page.length === 0) break;
          seen.push(...ids(page));
          after = cursorOf(page[page.length - 1]!);
        }
        assert.deepEqual(seen, ['a-4', 'a-3', 'a-2', 'a-1', 'a-0']);
        const middle = rows[2]!;
        assert.deepEqual(ids(await store.listActivities('u1', { after: cursorOf(middle), limit: ALL })), [
          'a-1',
          'a-0',
        ]);
        await rejectsWith(store.listActivities('u1', { after: 'not-a-cursor', limit: ALL }), 'InvalidNextToken');
      }));

    it('keeps owners apart: same group names, and an id owned by someone else is refused', () =>
      withStore(open, async (store) => {
        const a = activity('ua', 'g1', 'a-1', at(1));
        await store.putActivity(a);
        assert.deepEqual(await store.listActivities('ub', { limit: ALL }), []);
        assert.deepEqual(await store.listActivities('ub', { groupName: 'g1', activityIds: ['a-1'], limit: ALL }), []);
        await rejectsWith(
          store.putActivity(activity('ub', 'g1', 'a-1', at(9), { statusCode: 'Cancelled' })),
          'AlreadyExists',
        );
        assert.deepEqual(await store.listActivities('ua', { limit: ALL }), [a]);
        assert.deepEqual(await store.listActivities('ub', { limit: ALL }), []);
        const b = activity('ub', 'g1', 'b-1', at(2));
        await store.putActivity(b);
        assert.deepEqual(await store.listActivities('ua', { groupName: 'g1', limit: ALL }), [a]);
        assert.deepEqual(await store.listActivities('ub', { groupName: 'g1', limit: ALL }), [b]);
      }));
  });
}
