import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../contracts/store.ts';
import {
  activity,
  at,
  group,
  instance,
  launchConfiguration,
  rejectsWith,
  user,
  withStore,
  type OpenStore,
} from './fixtures.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/** Everything the store holds for `owner` (and the metadata), for before/after comparisons. */
async function snapshot(store: Store, owner: string): Promise<unknown> {
  return {
    meta: await store.getMeta('k'),
    users: await store.listUsers(),
    lcs: await store.listLaunchConfigurations(owner, { limit: ALL }),
    groups: await store.listGroups(owner, { limit: ALL }),
    instances: await store.listInstances(owner, {}),
    activities: await store.listActivities(owner, { limit: ALL }),
  };
}

/** Writes one of everything through `tx`. */
async function writeEverything(tx: Store, owner: string): Promise<void> {
  await tx.setMeta('k', 'v2');
  await tx.createUser(user('u-new'));
  await tx.createLaunchConfiguration(launchConfiguration(owner, 'lc-new'));
  await tx.createGroup(group(owner, 'g-new'));
  await tx.putInstance(instance(owner, 'g-new', 'i-new'));
  await tx.putActivity(activity(owner, 'g-new', 'a-new', at(1)));
  const g1 = await tx.getGroup(owner, 'g1');
  if (g1) await tx.updateGroup({ ...g1, desiredCapacity: 9 });
  await tx.deleteInstance(owner, 'i-1');
  await tx.deleteGroup(owner, 'g2');
}

/** Seeds a store with a little of everything. */
async function seed(store: Store, owner: string): Promise<void> {
  await store.setMeta('k', 'v1');
  await store.createGroup(group(owner, 'g1'));
  await store.createGroup(group(owner, 'g2'));
  await store.putInstance(instance(owner, 'g1', 'i-1'));
  await store.putInstance(instance(owner, 'g2', 'i-2'));
  await store.putActivity(activity(owner, 'g2', 'a-2', at(0)));
}

/** Contract cases: transactions. */
export function transactionCases(open: OpenStore): void {
  describe('transaction', () => {
    it("commits every write made through tx and returns fn's value; tx reads its own writes", () =>
      withStore(open, async (store) => {
        await seed(store, 'u1');
        const result = await store.transaction(async (tx) => {
          await writeEverything(tx, 'u1');
          assert.equal(await tx.getMeta('k'), 'v2');
          assert.equal((await tx.getGroup('u1', 'g1'))?.desiredCapacity, 9);
          assert.equal(await tx.getGroup('u1', 'g2'), undefined);
          return 42;
        });
        assert.equal(result, 42);
        assert.equal(await store.getMeta('k'), 'v2');
        assert.ok(await store.getUserById('u-new'));
        assert.ok(await store.getLaunchConfiguration('u1', 'lc-new'));
        assert.deepEqual(
          (await store.listGroups('u1', { limit: ALL })).map((g) => [g.name, g.desiredCapacity, g.version]),
          [
            ['g-new', 1, 1],
            ['g1', 9, 2],
          ],
        );
        assert.deepEqual(
          (await store.listInstances('u1', {})).map((i) => i.instanceId),
          ['i-new'],
        );
        assert.deepEqual(
          (await store.listActivities('u1', { limit: ALL })).map((a) => a.activityId),
          ['a-new'],
        );
      }));

    it('rolls back every write when fn throws, and rethrows the error', () =>
      withStore(open, async (store) => {
        await seed(store, 'u1');
        const before = await snapshot(store, 'u1');
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            await writeEverything(tx, 'u1');
            throw boom;
          }),
          (e: unknown) => e === boom,
        );
        assert.deepEqual(await snapshot(store, 'u1'), before);
      }));

    it('rolls back when a store error escapes fn (Conflict), and keeps work when fn handles one (AlreadyExists)', () =>
      withStore(open, async (store) => {
        await seed(store, 'u1');
        const before = await snapshot(store, 'u1');
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.createLaunchConfiguration(launchConfiguration('u1', 'lc-new'));
            await tx.updateGroup(group('u1', 'g1', { version: 99 }));
          }),
          'Conflict',
        );
        assert.deepEqual(await snapshot(store, 'u1'), before);

        await store.transaction(async (tx) => {
          await tx.createLaunchConfiguration(launchConfiguration('u1', 'lc-a'));
          await rejectsWith(tx.createGroup(group('u1', 'g1', { desiredCapacity: 4 })), 'AlreadyExists');
          await tx.createLaunchConfiguration(launchConfiguration('u1', 'lc-b'));
        });
        assert.equal(await store.countLaunchConfigurations('u1'), 2);
        assert.equal((await store.getGroup('u1', 'g1'))?.desiredCapacity, 1);
      }));

    it('runs a nested transaction as a savepoint: its failure undoes only its own writes', () =>
      withStore(open, async (store) => {
        await store.transaction(async (tx) => {
          await tx.setMeta('outer', '1');
          await assert.rejects(
            tx.transaction(async (inner) => {
              await inner.setMeta('inner', '1');
              await inner.deleteGroup('u1', 'nothing');
              throw new Error('inner fails');
            }),
            /inner fails/,
          );
          assert.equal(await tx.getMeta('inner'), undefined);
          const value = await tx.transaction(async (inner) => {
            await inner.setMeta('inner2', '1');
            return 'ok';
          });
          assert.equal(value, 'ok');
        });
        assert.equal(await store.getMeta('outer'), '1');
        assert.equal(await store.getMeta('inner'), undefined);
        assert.equal(await store.getMeta('inner2'), '1');
      }));

    it('commits concurrent transactions independently', () =>
      withStore(open, async (store) => {
        await Promise.all(
          ['a', 'b', 'c'].map((name) =>
            store.transaction(async (tx) => {
              await tx.createGroup(group('u1', name));
              await tx.putInstance(instance('u1', name, `i-${name}`));
            }),
          ),
        );
        assert.equal(await store.countGroups('u1'), 3);
        assert.equal((await store.listInstances('u1', {})).length, 3);
      }));

    it("refuses to close a transaction's Store, or to use it after the transaction ended", () =>
      withStore(open, async (store) => {
        let escaped: Store | undefined;
        await store.transaction(async (tx) => {
          await assert.rejects(tx.close());
          escaped = tx;
        });
        await assert.rejects(escaped!.setMeta('late', '1'));
        assert.equal(await store.getMeta('late'), undefined);
      }));
  });
}
