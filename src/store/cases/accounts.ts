import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessKey, at, rejectsWith, user, withStore, type OpenStore } from './fixtures.ts';

/** Contract cases: installation metadata, users and access keys. */
export function accountCases(open: OpenStore): void {
  describe('meta', () => {
    it('returns undefined for an unknown key, then the value set, then the overwrite', () =>
      withStore(open, async (store) => {
        assert.equal(await store.getMeta('installation-id'), undefined);
        await store.setMeta('installation-id', 'abc');
        await store.setMeta('other', '');
        assert.equal(await store.getMeta('installation-id'), 'abc');
        await store.setMeta('installation-id', 'def');
        assert.equal(await store.getMeta('installation-id'), 'def');
        assert.equal(await store.getMeta('other'), '');
      }));
  });

  describe('users', () => {
    it('round-trips every field by id and by name', () =>
      withStore(open, async (store) => {
        const alice = user('u-alice', {
          name: 'alice',
          isAdmin: true,
          createdTime: at(0.001),
          limits: { maxGroups: 3, maxLaunchConfigurations: 7 },
        });
        const bob = user('u-bob', { name: 'bob' });
        await store.createUser(alice);
        await store.createUser(bob);
        assert.deepEqual(await store.getUserById('u-alice'), alice);
        assert.deepEqual(await store.getUserByName('alice'), alice);
        assert.deepEqual(await store.getUserById('u-bob'), bob);
        assert.equal(await store.getUserById('alice'), undefined);
        assert.equal(await store.getUserByName('u-alice'), undefined);
      }));

    it('lists users sorted by name', () =>
      withStore(open, async (store) => {
        assert.deepEqual(await store.listUsers(), []);
        await store.createUser(user('1', { name: 'carol' }));
        await store.createUser(user('2', { name: 'alice' }));
        await store.createUser(user('3', { name: 'bob' }));
        assert.deepEqual(
          (await store.listUsers()).map((u) => u.name),
          ['alice', 'bob', 'carol'],
        );
      }));

    it('refuses a duplicate id or name with AlreadyExists and keeps the original', () =>
      withStore(open, async (store) => {
        const alice = user('u1', { name: 'alice' });
        await store.createUser(alice);
        const message = await rejectsWith(
          store.createUser(user('u2', { name: 'alice', isAdmin: true })),
          'AlreadyExists',
        );
        assert.equal(message, 'User alice already exists');
        await rejectsWith(store.createUser(user('u1', { name: 'other' })), 'AlreadyExists');
        assert.deepEqual(await store.listUsers(), [alice]);
        assert.equal(await store.getUserById('u2'), undefined);
        assert.equal(await store.getUserByName('other'), undefined);
      }));

    it('replaces limit overrides and leaves other users alone', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createUser(user('u2', { limits: { maxGroups: 9 } }));
        await store.setUserLimits('u1', { maxGroups: 5 });
        assert.deepEqual((await store.getUserById('u1'))?.limits, { maxGroups: 5 });
        await store.setUserLimits('u1', { maxLaunchConfigurations: 2 });
        assert.deepEqual((await store.getUserById('u1'))?.limits, { maxLaunchConfigurations: 2 });
        await store.setUserLimits('u1', {});
        assert.deepEqual((await store.getUserById('u1'))?.limits, {});
        assert.deepEqual((await store.getUserById('u2'))?.limits, { maxGroups: 9 });
        await rejectsWith(store.setUserLimits('nobody', { maxGroups: 1 }), 'NotFound');
      }));
  });

  describe('access keys', () => {
    it("looks a key up by id with every field and lists a user's keys by id", () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createUser(user('u2'));
        const k2 = accessKey('AKIA2', 'u1', { createdTime: at(0.5) });
        const k1 = accessKey('AKIA1', 'u1');
        const other = accessKey('AKIA3', 'u2');
        for (const k of [k2, k1, other]) await store.createAccessKey(k);
        assert.deepEqual(await store.getAccessKey('AKIA2'), k2);
        assert.equal(await store.getAccessKey('AKIA9'), undefined);
        assert.deepEqual(await store.listAccessKeys('u1'), [k1, k2]);
        assert.deepEqual(await store.listAccessKeys('u2'), [other]);
        assert.deepEqual(await store.listAccessKeys('nobody'), []);
      }));

    it('refuses a duplicate key id and a key of an unknown user', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createUser(user('u2'));
        const k = accessKey('AKIA1', 'u1');
        await store.createAccessKey(k);
        await rejectsWith(store.createAccessKey(accessKey('AKIA1', 'u2', { sealedSecret: 'x' })), 'AlreadyExists');
        await rejectsWith(store.createAccessKey(accessKey('AKIA2', 'nobody')), 'NotFound');
        assert.deepEqual(await store.getAccessKey('AKIA1'), k);
        assert.deepEqual(await store.listAccessKeys('u2'), []);
        assert.equal(await store.getAccessKey('AKIA2'), undefined);
      }));

    it('deletes a key idempotently', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createAccessKey(accessKey('AKIA1', 'u1'));
        await store.createAccessKey(accessKey('AKIA2', 'u1'));
        assert.equal(await store.deleteAccessKey('AKIA1'), true);
        assert.equal(await store.deleteAccessKey('AKIA1'), false);
        assert.equal(await store.getAccessKey('AKIA1'), undefined);
        assert.deepEqual(
          (await store.listAccessKeys('u1')).map((k) => k.accessKeyId),
          ['AKIA2'],
        );
      }));
  });
}
