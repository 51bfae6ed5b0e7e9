import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudCredentialRecord } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import {
  accessKey,
  activity,
  group,
  instance,
  intent,
  launchConfiguration,
  T0,
  user,
  withStore,
  type OpenStore,
} from './fixtures.ts';

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

/**
 * ownerChangeStamp(owner): changed by every write to that owner's records, by writes no single
 * owner can be named for, and by transactions that wrote the owner's records; unchanged by
 * another owner's writes (read caches of one user survive another user's churn).
 */
export function ownerChangeStampCases(open: OpenStore): void {
  describe('per-owner change stamp', () => {
    const twoUsers = async (store: Store) => {
      await store.createUser(user('u1'));
      await store.createUser(user('u2'));
      await store.createLaunchConfiguration(launchConfiguration('u1', 'lc'));
      await store.createGroup(group('u1', 'g'));
      await store.createGroup(group('u2', 'g'));
    };
    /** Runs `write` and says whose stamps it changed. */
    const changedBy = async (store: Store, write: () => Promise<unknown>) => {
      const before = [store.ownerChangeStamp('u1'), store.ownerChangeStamp('u2')];
      await write();
      const after = [store.ownerChangeStamp('u1'), store.ownerChangeStamp('u2')];
      return { u1: after[0] !== before[0], u2: after[1] !== before[1] };
    };
    const onlyU1 = { u1: true, u2: false };
    const both = { u1: true, u2: true };

    it('stays the same across reads', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        assert.deepEqual(
          await changedBy(store, async () => {
            await store.listGroups('u1', { limit: 10 });
            await store.listInstances('u1', {});
            await store.listActivities('u1', { limit: 10 });
            await store.listIntents({ owner: 'u1' });
          }),
          { u1: false, u2: false },
        );
      }));

    it('changes for the owner written, not for another owner, on every kind of owned write', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        const g = (await store.getGroup('u1', 'g'))!;
        const writes: Array<[string, () => Promise<unknown>]> = [
          ['createLaunchConfiguration', () => store.createLaunchConfiguration(launchConfiguration('u1', 'lc2'))],
          ['deleteLaunchConfiguration', () => store.deleteLaunchConfiguration('u1', 'lc2')],
          ['createGroup', () => store.createGroup(group('u1', 'g2'))],
          ['updateGroup', () => store.updateGroup({ ...g, desiredCapacity: 2 })],
          ['putInstance', () => store.putInstance(instance('u1', 'g', 'i-1'))],
          ['deleteInstance', () => store.deleteInstance('u1', 'i-1')],
          ['putActivity', () => store.putActivity(activity('u1', 'g', 'a-1', T0))],
          ['createIntent', () => store.createIntent(intent('u1', 'g', 'x-1'))],
          ['updateIntent', () => store.updateIntent({ ...intent('u1', 'g', 'x-1'), attempts: 1 })],
          ['deleteIntent', () => store.deleteIntent('x-1')],
          ['putCredential', () => store.putCredential(credentialOf('u1', 'hotel'))],
          ['deleteCredential', () => store.deleteCredential('u1', 'hotel')],
          ['deleteGroup', () => store.deleteGroup('u1', 'g2')],
        ];
        for (const [label, write] of writes) assert.deepEqual(await changedBy(store, write), onlyU1, label);
      }));

    it('changes for every owner on writes that name no owner', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        assert.deepEqual(await changedBy(store, () => store.setMeta('k', 'v')), both, 'setMeta');
        assert.deepEqual(await changedBy(store, () => store.createUser(user('u3'))), both, 'createUser');
        assert.deepEqual(
          await changedBy(store, () => store.setUserLimits('u1', { maxGroups: 3 })),
          both,
          'setUserLimits',
        );
        assert.deepEqual(await changedBy(store, () => store.createAccessKey(accessKey('AK1', 'u1'))), both, 'key');
        assert.deepEqual(await changedBy(store, () => store.deleteAccessKey('AK1')), both, 'deleteAccessKey');
      }));

    it('changes for the owners a transaction wrote, committed or rolled back, and not for others', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        assert.deepEqual(
          await changedBy(store, () =>
            store.transaction(async (tx) => {
              await tx.putInstance(instance('u1', 'g', 'i-2'));
              await tx.transaction((inner) => inner.putActivity(activity('u1', 'g', 'a-2', T0)));
            }),
          ),
          onlyU1,
        );
        assert.deepEqual(
          await changedBy(store, () =>
            assert.rejects(
              store.transaction(async (tx) => {
                await tx.putInstance(instance('u1', 'g', 'i-3'));
                throw new Error('roll back');
              }),
            ),
          ),
          onlyU1,
        );
      }));

    it('the shared stamp changes on writes that name no owner, not on owned writes', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        const shared = store.sharedChangeStamp();
        await store.putInstance(instance('u1', 'g', 'i-8'));
        await store.transaction((tx) => tx.putActivity(activity('u2', 'g', 'a-8', T0)));
        assert.equal(store.sharedChangeStamp(), shared);
        await store.createAccessKey(accessKey('AK2', 'u1'));
        assert.notEqual(store.sharedChangeStamp(), shared);
        const afterKey = store.sharedChangeStamp();
        await store.setUserLimits('u2', { maxGroups: 2 });
        assert.notEqual(store.sharedChangeStamp(), afterKey);
      }));

    it('leaves the store-wide stamp changing with each write', () =>
      withStore(open, async (store) => {
        await twoUsers(store);
        const wide = store.changeStamp();
        await store.putInstance(instance('u2', 'g', 'i-9'));
        assert.notEqual(store.changeStamp(), wide);
      }));
  });
}

const credentialOf = (owner: string, site: string): CloudCredentialRecord => ({
  owner,
  site,
  sealed: `sealed-for-${owner}-${site}`,
  createdTime: T0,
  updatedTime: T0,
});
