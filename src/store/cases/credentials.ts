import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudCredentialRecord } from '../../contracts/records.ts';
import { at, T0, user, withStore, type OpenStore } from './fixtures.ts';

const credential = (owner: string, site: string, over: Partial<CloudCredentialRecord> = {}): CloudCredentialRecord => ({
  owner,
  site,
  sealed: `sealed-for-${owner}-${site}`,
  createdTime: T0,
  updatedTime: T0,
  ...over,
});

/** Per-user cloud credentials: owner-scoped, replaced in place, gone with their user. */
export function credentialCases(open: OpenStore): void {
  describe('cloud credentials', () => {
    it('round-trip, replace in place (keeping the created time) and list by site', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createUser(user('u2'));
        await store.putCredential(credential('u1', 'sierra'));
        await store.putCredential(credential('u1', 'hotel', { keyName: 'phantomkey' }));
        await store.putCredential(credential('u2', 'hotel'));
        assert.deepEqual(
          await store.getCredential('u1', 'hotel'),
          credential('u1', 'hotel', { keyName: 'phantomkey' }),
        );
        await store.putCredential(credential('u1', 'hotel', { sealed: 'new', createdTime: at(9), updatedTime: at(9) }));
        assert.deepEqual(
          await store.getCredential('u1', 'hotel'),
          credential('u1', 'hotel', { sealed: 'new', updatedTime: at(9) }),
        );
        assert.deepEqual(
          (await store.listCredentials('u1')).map((c) => c.site),
          ['hotel', 'sierra'],
        );
        assert.deepEqual(
          (await store.listCredentials('u2')).map((c) => c.sealed),
          ['sealed-for-u2-hotel'],
        );
        assert.equal(await store.getCredential('u2', 'sierra'), undefined);
      }));

    it('delete is owner-scoped and idempotent', () =>
      withStore(open, async (store) => {
        await store.createUser(user('u1'));
        await store.createUser(user('u2'));
        await store.putCredential(credential('u1', 'hotel'));
        assert.equal(await store.deleteCredential('u2', 'hotel'), false);
        assert.ok(await store.getCredential('u1', 'hotel'));
        assert.equal(await store.deleteCredential('u1', 'hotel'), true);
        assert.equal(await store.deleteCredential('u1', 'hotel'), false);
      }));
  });
}
