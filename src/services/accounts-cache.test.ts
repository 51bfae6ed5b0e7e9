import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { systemClock } from '../contracts/clock.ts';
import { SecretBox } from '../security/secret-box.ts';
import { group, instance } from '../store/cases/fixtures.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { Accounts } from './accounts.ts';

describe('Accounts caches', () => {
  it('survive writes to groups and instances (controller churn), and drop a deleted key at once', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    try {
      const accounts = new Accounts(store, new SecretBox(randomBytes(32)), systemClock);
      const alice = await accounts.createUser('alice');
      const bob = await accounts.createUser('bob');
      const key = { accessKeyId: 'AKPHALICE00000000000', secretAccessKey: 'alice-secret' };
      await accounts.setKey(alice, key);
      await store.createGroup(group(bob.id, 'g'));
      let keyReads = 0;
      const getAccessKey = store.getAccessKey.bind(store);
      store.getAccessKey = (id) => (keyReads++, getAccessKey(id));

      assert.equal((await accounts.secretFor(key.accessKeyId))?.secret, 'alice-secret');
      await store.putInstance(instance(bob.id, 'g', 'i-1'));
      await store.transaction((tx) => tx.deleteInstance(bob.id, 'i-1'));
      assert.equal((await accounts.secretFor(key.accessKeyId))?.secret, 'alice-secret');
      assert.equal(keyReads, 1, 'writes to owned records must not evict the secrets cache');

      await store.deleteAccessKey(key.accessKeyId);
      assert.equal(await accounts.secretFor(key.accessKeyId), undefined);
    } finally {
      await store.close();
    }
  });
});
