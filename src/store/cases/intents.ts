import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LaunchIntentRecord } from '../../contracts/records.ts';
import { at, group, instance, intent, rejectsWith, user, withStore, type OpenStore } from './fixtures.ts';

/** Launch intents: the record written before every cloud launch (DESIGN.md §5). */
export function intentCases(open: OpenStore): void {
  describe('launch intents', () => {
    it('round-trip with optional fields absent and present', () =>
      withStore(open, async (store) => {
        const bare = intent('u1', 'g', 'tok-1');
        const full = intent('u1', 'g', 'tok-2', {
          state: 'launched',
          instanceId: 'i-0123456789abcdef0',
          attempts: 2,
          lastError: 'InsufficientInstanceCapacity: full',
          generation: 7,
          updatedTime: at(5),
        });
        await store.createIntent(bare);
        await store.createIntent(full);
        assert.deepEqual(await store.getIntent('tok-1'), bare);
        assert.deepEqual(await store.getIntent('tok-2'), full);
        assert.equal(await store.getIntent('nope'), undefined);
      }));

    it('refuses a duplicate id and keeps the first', () =>
      withStore(open, async (store) => {
        await store.createIntent(intent('u1', 'g', 'tok'));
        await rejectsWith(store.createIntent(intent('u2', 'h', 'tok', { site: 'sierra' })), 'AlreadyExists');
        assert.equal((await store.getIntent('tok'))?.owner, 'u1');
      }));

    it('lists by owner, group, site and state, oldest first', () =>
      withStore(open, async (store) => {
        await store.createIntent(intent('u1', 'g', 'c', { createdTime: at(2) }));
        await store.createIntent(intent('u1', 'g', 'a', { createdTime: at(2), site: 'sierra', state: 'launched' }));
        await store.createIntent(intent('u1', 'h', 'b', { createdTime: at(1) }));
        await store.createIntent(intent('u2', 'g', 'd', { createdTime: at(0), state: 'failed' }));
        const ids = (records: LaunchIntentRecord[]) => records.map((r) => r.intentId);
        assert.deepEqual(ids(await store.listIntents({})), ['d', 'b', 'a', 'c']);
        assert.deepEqual(ids(await store.listIntents({ owner: 'u1' })), ['b', 'a', 'c']);
        assert.deepEqual(ids(await store.listIntents({ owner: 'u1', groupName: 'g' })), ['a', 'c']);
        assert.deepEqual(ids(await store.listIntents({ site: 'sierra' })), ['a']);
        assert.deepEqual(ids(await store.listIntents({ states: ['pending', 'failed'] })), ['d', 'b', 'c']);
        assert.deepEqual(await store.listIntents({ states: [] }), []);
      }));

    it('updates only an existing intent of the same owner, and deletes idempotently', () =>
      withStore(open, async (store) => {
        await store.createIntent(intent('u1', 'g', 'tok'));
        const launched = intent('u1', 'g', 'tok', {
          state: 'launched',
          instanceId: 'i-1',
          attempts: 1,
          updatedTime: at(3),
        });
        assert.equal(await store.updateIntent(launched), true);
        assert.deepEqual(await store.getIntent('tok'), launched);
        assert.equal(await store.updateIntent({ ...launched, owner: 'u2' }), false, "another owner's write is refused");
        assert.equal(await store.updateIntent(intent('u1', 'g', 'missing')), false);
        assert.equal(await store.deleteIntent('tok'), true);
        assert.equal(await store.deleteIntent('tok'), false);
      }));

    it('go with their group when it is deleted, and change the stamp', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createGroup(group('u1', 'g'));
        await store.putInstance(instance('u1', 'g', 'i-1'));
        await store.createIntent(intent('u1', 'g', 'mine'));
        await store.createIntent(intent('u1', 'other', 'theirs'));
        const before = store.changeStamp();
        await store.updateIntent(intent('u1', 'g', 'mine', { attempts: 1 }));
        assert.notEqual(store.changeStamp(), before);
        await store.deleteGroup('u1', 'g');
        assert.deepEqual(
          (await store.listIntents({})).map((i) => i.intentId),
          ['theirs'],
        );
      }));
  });
}
