import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { activity, group, instance, launchConfiguration, T0, user, withStore, type OpenStore } from './fixtures.ts';

/** changeStamp(): unchanged by reads, changed by every kind of write and by transactions. */
export function changeStampCases(open: OpenStore): void {
  describe('change stamp', () => {
    it('stays the same across reads', () =>
      withStore(open, async (store) => {
        const before = store.changeStamp();
        await store.listUsers();
        await store.listGroups('u1', { limit: 10 });
        assert.equal(store.changeStamp(), before);
      }));

    it('changes after every write and after a transaction, even a failed one', () =>
      withStore(open, async (store) => {
        const seen = new Set([store.changeStamp()]);
        const changed = (label: string) => {
          const now = store.changeStamp();
          assert.ok(!seen.has(now), `${label} did not change the stamp`);
          seen.add(now);
        };
        await store.createUser(user('u1'));
        changed('createUser');
        await store.createLaunchConfiguration(launchConfiguration('u1', 'lc'));
        changed('createLaunchConfiguration');
        await store.createGroup(group('u1', 'g'));
        changed('createGroup');
        await store.putInstance(instance('u1', 'g', 'i-1'));
        changed('putInstance');
        await store.putActivity(activity('u1', 'g', 'a-1', T0));
        changed('putActivity');
        await store.deleteGroup('u1', 'g');
        changed('deleteGroup');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.setMeta('k', 'v');
            throw new Error('roll back');
          }),
        );
        changed('a rolled-back transaction');
      }));
  });
}
