import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstanceRecord } from '../../contracts/records.ts';
import { at, instance, withStore, type OpenStore } from './fixtures.ts';

const ids = (records: readonly InstanceRecord[]): string[] => records.map((i) => i.instanceId);

/** Contract cases: instances. */
export function instanceCases(open: OpenStore): void {
  describe('instances', () => {
    it('round-trips every field, with and without the optional instance type', () =>
      withStore(open, async (store) => {
        const plain = instance('u1', 'g1', 'i-1');
        const typed = instance('u1', 'g1', 'i-2', {
          site: 'sierra',
          lifecycleState: 'Pending',
          healthStatus: 'Unhealthy',
          launchConfigurationName: 'lc1@sierra',
          instanceType: 'm1.large',
          protectedFromScaleIn: true,
          createdTime: at(0.999),
        });
        await store.putInstance(plain);
        await store.putInstance(typed);
        assert.deepEqual(await store.getInstance('u1', 'i-1'), plain);
        assert.deepEqual(await store.getInstance('u1', 'i-2'), typed);
        assert.equal(await store.getInstance('u1', 'i-3'), undefined);
      }));

    it('replaces every field on a second put (including clearing an optional one)', () =>
      withStore(open, async (store) => {
        await store.putInstance(instance('u1', 'g1', 'i-1', { instanceType: 'm1.small' }));
        const replaced = instance('u1', 'g2', 'i-1', {
          lifecycleState: 'Terminating',
          site: 'sierra',
          protectedFromScaleIn: true,
          createdTime: at(5),
        });
        await store.putInstance(replaced);
        assert.deepEqual(await store.getInstance('u1', 'i-1'), replaced);
        assert.deepEqual(await store.listInstances('u1', { groupName: 'g1' }), []);
        assert.deepEqual(await store.listInstances('u1', {}), [replaced]);
      }));

    it('lists by group, ids, exclusive after and limit, sorted by instance id', () =>
      withStore(open, async (store) => {
        for (const [g, id] of [
          ['g1', 'i-c'],
          ['g2', 'i-b'],
          ['g1', 'i-a'],
          ['g1', 'i-d'],
          ['g2', 'i-e'],
        ] as const) {
          await store.putInstance(instance('u1', g, id));
        }
        assert.deepEqual(ids(await store.listInstances('u1', {})), ['i-a', 'i-b', 'i-c', 'i-d', 'i-e']);
        assert.deepEqual(ids(await store.listInstances('u1', { groupName: 'g1' })), ['i-a', 'i-c', 'i-d']);
        assert.deepEqual(ids(await store.listInstances('u1', { groupName: 'g1', after: 'i-a', limit: 1 })), ['i-c']);
        assert.deepEqual(ids(await store.listInstances('u1', { after: 'i-c' })), ['i-d', 'i-e']);
        assert.deepEqual(ids(await store.listInstances('u1', { limit: 2 })), ['i-a', 'i-b']);
        assert.deepEqual(ids(await store.listInstances('u1', { instanceIds: ['i-e', 'i-a', 'i-x'] })), ['i-a', 'i-e']);
        assert.deepEqual(ids(await store.listInstances('u1', { instanceIds: ['i-e', 'i-a'], groupName: 'g2' })), [
          'i-e',
        ]);
        assert.deepEqual(await store.listInstances('u1', { instanceIds: [] }), []);
        assert.deepEqual(await store.listInstances('u1', { groupName: 'g9' }), []);
      }));

    it('lists instances of several groups in one call, every requested group a key', () =>
      withStore(open, async (store) => {
        for (const [g, id] of [
          ['g1', 'i-c'],
          ['g2', 'i-b'],
          ['g1', 'i-a'],
          ['g3', 'i-z'],
        ] as const) {
          await store.putInstance(instance('u1', g, id));
        }
        await store.putInstance(instance('u2', 'g1', 'i-other'));
        const byGroup = await store.listInstancesOfGroups('u1', ['g1', 'g2', 'empty']);
        assert.deepEqual([...byGroup.keys()].sort(), ['empty', 'g1', 'g2']);
        assert.deepEqual(ids(byGroup.get('g1') ?? []), ['i-a', 'i-c']);
        assert.deepEqual(byGroup.get('g2'), [instance('u1', 'g2', 'i-b')]);
        assert.deepEqual(byGroup.get('empty'), []);
        assert.equal((await store.listInstancesOfGroups('u1', [])).size, 0);
      }));

    it("lists what Describe shows of several groups' instances: the records' fields, by instance id", () =>
      withStore(open, async (store) => {
        const full = instance('u1', 'g1', 'i-c', {
          instanceType: 'm1.small',
          site: 'sierra',
          lifecycleState: 'Pending',
          healthStatus: 'Unhealthy',
          protectedFromScaleIn: true,
        });
        for (const i of [
          full,
          instance('u1', 'g2', 'i-b'),
          instance('u1', 'g1', 'i-\u{1F600}'),
          instance('u1', 'g1', 'i-\uFF5E'),
        ])
          await store.putInstance(i);
        await store.putInstance(instance('u1', 'g1', 'i-a'));
        await store.putInstance(instance('u1', 'g3', 'i-z'));
        await store.putInstance(instance('u2', 'g1', 'i-other'));
        const members = await store.listGroupMembers('u1', ['g2', 'g1', 'empty']);
        assert.deepEqual([...members.keys()].sort(), ['empty', 'g1', 'g2']);
        // By code point: U+FF5E before U+1F600 (UTF-16 order would swap them).
        assert.deepEqual(
          members.get('g1')!.map((m) => m.instanceId),
          ['i-a', 'i-c', 'i-\uFF5E', 'i-\u{1F600}'],
        );
        const records = await store.listInstancesOfGroups('u1', ['g1', 'g2']);
        for (const name of ['g1', 'g2']) {
          const shown = records.get(name)!.map(({ owner: _o, groupName: _g, createdTime: _c, ...rest }) => rest);
          assert.deepEqual(members.get(name), shown);
        }
        assert.deepEqual(members.get('g1')![1], {
          instanceId: 'i-c',
          instanceType: 'm1.small',
          site: 'sierra',
          lifecycleState: 'Pending',
          healthStatus: 'Unhealthy',
          launchConfigurationName: 'lc1@hotel',
          protectedFromScaleIn: true,
        });
        assert.deepEqual(members.get('empty'), []);
        assert.equal((await store.listGroupMembers('u1', [])).size, 0);
        assert.deepEqual((await store.listGroupMembers('u3', ['g1'])).get('g1'), []);
      }));

    it('keeps owners apart even with the same instance ids and group names', () =>
      withStore(open, async (store) => {
        const a = instance('ua', 'g1', 'i-1');
        await store.putInstance(a);
        assert.equal(await store.getInstance('ub', 'i-1'), undefined);
        assert.deepEqual(await store.listInstances('ub', {}), []);
        assert.deepEqual(await store.listInstances('ub', { groupName: 'g1', instanceIds: ['i-1'] }), []);
        assert.deepEqual((await store.listInstancesOfGroups('ub', ['g1'])).get('g1'), []);
        assert.equal(await store.deleteInstance('ub', 'i-1'), false);

        const b = instance('ub', 'g1', 'i-1', { site: 'sierra', lifecycleState: 'Terminated' });
        await store.putInstance(b);
        assert.deepEqual(await store.getInstance('ua', 'i-1'), a);
        assert.deepEqual(await store.getInstance('ub', 'i-1'), b);
        assert.equal(await store.deleteInstance('ub', 'i-1'), true);
        assert.deepEqual(await store.getInstance('ua', 'i-1'), a);
      }));

    it("counts every owner's instances per site and lifecycle state, sorted, without empty combinations", () =>
      withStore(open, async (store) => {
        assert.deepEqual(await store.countInstancesBySiteAndState(), []);
        await store.putInstance(instance('u1', 'g1', 'i-1'));
        await store.putInstance(instance('u1', 'g2', 'i-2', { site: 'sierra', lifecycleState: 'Pending' }));
        await store.putInstance(instance('u2', 'g1', 'i-1'));
        await store.putInstance(instance('u2', 'g1', 'i-3', { lifecycleState: 'Terminating' }));
        await store.putInstance(instance('u2', 'g1', 'i-4', { site: 'sierra', lifecycleState: 'Pending' }));
        assert.deepEqual(await store.countInstancesBySiteAndState(), [
          { site: 'hotel', state: 'InService', count: 2 },
          { site: 'hotel', state: 'Terminating', count: 1 },
          { site: 'sierra', state: 'Pending', count: 2 },
        ]);
        await store.deleteInstance('u2', 'i-3');
        assert.deepEqual(
          (await store.countInstancesBySiteAndState()).map((c) => c.state),
          ['InService', 'Pending'],
          'a state with no instance left is absent',
        );
      }));

    it('deletes idempotently', () =>
      withStore(open, async (store) => {
        await store.putInstance(instance('u1', 'g1', 'i-1'));
        assert.equal(await store.deleteInstance('u1', 'i-1'), true);
        assert.equal(await store.deleteInstance('u1', 'i-1'), false);
        assert.equal(await store.getInstance('u1', 'i-1'), undefined);
      }));
  });
}
