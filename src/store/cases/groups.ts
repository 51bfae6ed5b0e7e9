import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activity, at, fullGroup, group, instance, names, rejectsWith, withStore, type OpenStore } from './fixtures.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/** Contract cases: groups, compare-and-set updates and cascading deletes. */
export function groupCases(open: OpenStore): void {
  describe('groups', () => {
    it('round-trips a minimal and a full record (optional fields absent and present)', () =>
      withStore(open, async (store) => {
        const minimal = group('u1', 'g-min');
        const full = fullGroup('u1', 'g-full');
        await store.createGroup(minimal);
        await store.createGroup(full);
        assert.deepEqual(await store.getGroup('u1', 'g-min'), minimal);
        assert.deepEqual(await store.getGroup('u1', 'g-full'), full);
        assert.equal(await store.getGroup('u1', 'g'), undefined);
        assert.deepEqual(await store.listGroups('u1', { limit: ALL }), [full, minimal]);
      }));

    it("refuses a duplicate name with AWS's message and keeps the original", () =>
      withStore(open, async (store) => {
        const original = group('u1', 'g1');
        await store.createGroup(original);
        const message = await rejectsWith(store.createGroup(fullGroup('u1', 'g1')), 'AlreadyExists');
        assert.equal(message, 'AutoScalingGroup by this name already exists - A group with the name g1 already exists');
        assert.deepEqual(await store.getGroup('u1', 'g1'), original);
        assert.equal(await store.countGroups('u1'), 1);
      }));

    it('keeps owners apart even with the same names', () =>
      withStore(open, async (store) => {
        const a = group('ua', 'g1');
        await store.createGroup(a);
        assert.equal(await store.getGroup('ub', 'g1'), undefined);
        assert.deepEqual(await store.listGroups('ub', { limit: ALL }), []);
        assert.deepEqual(await store.listGroups('ub', { names: ['g1'], limit: ALL }), []);
        assert.equal(await store.countGroups('ub'), 0);
        assert.equal(await store.countAllGroups(), 1);
        await rejectsWith(store.updateGroup({ ...a, owner: 'ub', desiredCapacity: 3 }), 'Conflict');
        assert.equal(await store.deleteGroup('ub', 'g1'), false);
        assert.deepEqual(await store.getGroup('ua', 'g1'), a);

        const b = fullGroup('ub', 'g1');
        await store.createGroup(b);
        assert.equal(await store.countAllGroups(), 2, 'every owner counts');
        assert.equal(await store.sumDesiredCapacity('ub'), 0, 'a group being deleted counts 0 (b is one)');
        await store.createGroup({ ...fullGroup('ub', 'g2'), desiredCapacity: 4, deleting: false });
        await store.createGroup({ ...fullGroup('ub', 'g3'), desiredCapacity: 7, deleting: false });
        await store.createGroup({ ...fullGroup('uc', 'g2'), desiredCapacity: 5, deleting: false });
        assert.equal(await store.sumDesiredCapacity('ub'), 11, "one owner's groups only");
        assert.equal(await store.sumDesiredCapacity('ub', 'g2'), 7, 'the named group left out');
        assert.equal(await store.sumDesiredCapacity('nobody'), 0);
        await store.deleteGroup('ub', 'g2');
        await store.deleteGroup('uc', 'g2');
        await store.deleteGroup('ub', 'g3');
        const updated = await store.updateGroup({ ...b, desiredCapacity: 5 });
        assert.deepEqual(await store.getGroup('ua', 'g1'), a);
        assert.deepEqual(await store.getGroup('ub', 'g1'), updated);
        assert.equal(await store.deleteGroup('ub', 'g1'), true);
        assert.deepEqual(await store.getGroup('ua', 'g1'), a);
      }));

    it('pages by name: names filter, exclusive after, limit, ascending order', () =>
      withStore(open, async (store) => {
        for (const name of ['g3', 'g1', 'G2', 'g10', 'g2']) await store.createGroup(group('u1', name));
        await store.createGroup(group('u2', 'g0'));
        assert.deepEqual(names(await store.listGroups('u1', { limit: ALL })), ['G2', 'g1', 'g10', 'g2', 'g3']);
        assert.deepEqual(names(await store.listGroups('u1', { limit: 3 })), ['G2', 'g1', 'g10']);
        assert.deepEqual(names(await store.listGroups('u1', { after: 'g10', limit: 3 })), ['g2', 'g3']);
        assert.deepEqual(names(await store.listGroups('u1', { after: 'g1', limit: 1 })), ['g10']);
        assert.deepEqual(names(await store.listGroups('u1', { names: ['g3', 'G2', 'nope'], limit: ALL })), [
          'G2',
          'g3',
        ]);
        assert.deepEqual(names(await store.listGroups('u1', { names: ['g3', 'G2', 'g1'], after: 'G2', limit: 1 })), [
          'g1',
        ]);
        assert.deepEqual(await store.listGroups('u1', { names: [], limit: ALL }), []);
      }));

    it('orders a named page exactly as an unnamed one: by code point, limit after ordering', () =>
      withStore(open, async (store) => {
        // U+FF5E sorts before U+1F600 by code point (UTF-8 bytes), after it by UTF-16 units.
        const all = ['b', '\u{1F600}x', '\uFF5Ex', 'a', 'A', 'é'];
        for (const name of all) await store.createGroup(group('u1', name));
        const unnamed = names(await store.listGroups('u1', { limit: ALL }));
        assert.deepEqual(unnamed, ['A', 'a', 'b', 'é', '\uFF5Ex', '\u{1F600}x']);
        assert.deepEqual(names(await store.listGroups('u1', { names: [...all].reverse(), limit: ALL })), unnamed);
        assert.deepEqual(names(await store.listGroups('u1', { names: all, limit: 2 })), ['A', 'a']);
        assert.deepEqual(names(await store.listGroups('u1', { names: all, after: 'é', limit: 1 })), ['\uFF5Ex']);
      }));

    it("lists every owner's groups by (owner, name) and counts per owner", () =>
      withStore(open, async (store) => {
        for (const [owner, name] of [
          ['u2', 'a'],
          ['u1', 'b'],
          ['u1', 'a'],
          ['u3', 'a'],
        ] as const)
          await store.createGroup(group(owner, name));
        assert.deepEqual(
          (await store.listAllGroups()).map((g) => `${g.owner}/${g.name}`),
          ['u1/a', 'u1/b', 'u2/a', 'u3/a'],
        );
        assert.deepEqual(await store.listAllGroupKeys(), [
          { owner: 'u1', name: 'a' },
          { owner: 'u1', name: 'b' },
          { owner: 'u2', name: 'a' },
          { owner: 'u3', name: 'a' },
        ]);
        assert.equal(await store.countGroups('u1'), 2);
        assert.equal(await store.countGroups('u4'), 0);
      }));
  });

  describe('updateGroup (compare-and-set)', () => {
    it('writes every field, bumps the version and returns the stored record', () =>
      withStore(open, async (store) => {
        const created = group('u1', 'g1', { version: 1 });
        await store.createGroup(created);
        const changed = { ...fullGroup('u1', 'g1'), version: 1 };
        const stored = await store.updateGroup(changed);
        assert.deepEqual(stored, { ...changed, version: 2 });
        assert.deepEqual(await store.getGroup('u1', 'g1'), stored);
        const cleared = await store.updateGroup(group('u1', 'g1', { version: 2, tags: [], createdTime: at(9) }));
        assert.deepEqual(cleared, group('u1', 'g1', { version: 3, createdTime: at(9) }));
        assert.deepEqual(await store.getGroup('u1', 'g1'), cleared);
      }));

    it('refuses a stale version with Conflict and leaves the group as it was', () =>
      withStore(open, async (store) => {
        await store.createGroup(group('u1', 'g1'));
        const read = (await store.getGroup('u1', 'g1'))!;
        const winner = await store.updateGroup({ ...read, desiredCapacity: 2 });
        await rejectsWith(store.updateGroup({ ...read, desiredCapacity: 3 }), 'Conflict');
        await rejectsWith(store.updateGroup({ ...read, version: read.version + 5 }), 'Conflict');
        assert.deepEqual(await store.getGroup('u1', 'g1'), winner);
        assert.equal(winner.desiredCapacity, 2);
      }));

    it('refuses to update a group that does not exist (or was deleted)', () =>
      withStore(open, async (store) => {
        await rejectsWith(store.updateGroup(group('u1', 'ghost')), 'Conflict');
        assert.equal(await store.getGroup('u1', 'ghost'), undefined);
        await store.createGroup(group('u1', 'g1'));
        await store.deleteGroup('u1', 'g1');
        await rejectsWith(store.updateGroup(group('u1', 'g1')), 'Conflict');
        assert.equal(await store.getGroup('u1', 'g1'), undefined);
      }));
  });

  describe('deleteGroup', () => {
    it('deletes the group with its instances and activities, and nothing else', () =>
      withStore(open, async (store) => {
        await store.createGroup(group('u1', 'g1'));
        await store.createGroup(group('u1', 'g2'));
        await store.createGroup(group('u2', 'g1'));
        await store.putInstance(instance('u1', 'g1', 'i-1'));
        await store.putInstance(instance('u1', 'g2', 'i-2'));
        await store.putInstance(instance('u2', 'g1', 'i-1'));
        await store.putActivity(activity('u1', 'g1', 'a-1', at(1)));
        await store.putActivity(activity('u1', 'g2', 'a-2', at(2)));
        await store.putActivity(activity('u2', 'g1', 'a-3', at(3)));

        assert.equal(await store.deleteGroup('u1', 'g1'), true);
        assert.equal(await store.getGroup('u1', 'g1'), undefined);
        assert.equal(await store.getInstance('u1', 'i-1'), undefined);
        assert.deepEqual(await store.listActivities('u1', { groupName: 'g1', limit: ALL }), []);
        assert.deepEqual(
          (await store.listInstances('u1', {})).map((i) => i.instanceId),
          ['i-2'],
        );
        assert.deepEqual(
          (await store.listActivities('u1', { limit: ALL })).map((a) => a.activityId),
          ['a-2'],
        );
        assert.ok(await store.getGroup('u2', 'g1'));
        assert.ok(await store.getInstance('u2', 'i-1'));
        assert.equal((await store.listActivities('u2', { limit: ALL })).length, 1);

        assert.equal(await store.deleteGroup('u1', 'g1'), false);
        await store.createGroup(group('u1', 'g1'));
        assert.deepEqual(await store.listInstances('u1', { groupName: 'g1' }), []);
      }));
  });
}
