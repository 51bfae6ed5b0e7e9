import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SiteRecord } from '../../contracts/records.ts';
import { at, T0, withStore, type OpenStore } from './fixtures.ts';

const site = (name: string, over: Partial<SiteRecord> = {}): SiteRecord => ({
  name,
  driver: 'ec2',
  settings: { region: 'us-east-1', endpoint: `http://127.0.0.1:8773/${name}` },
  createdTime: T0,
  updatedTime: T0,
  ...over,
});

/** CLI-added sites: replaced in place, listed by name, deleted idempotently, seen by the change stamp. */
export function siteCases(open: OpenStore): void {
  describe('sites', () => {
    it('round-trip with nested settings, replace in place (keeping the created time) and list by name', () =>
      withStore(open, async (store) => {
        assert.deepEqual(await store.listSites(), []);
        await store.putSite(site('sierra', { driver: 'sim', settings: { bootMs: 0, capacity: 3 } }));
        await store.putSite(site('hotel'));
        await store.putSite(
          site('india', {
            driver: 'openstack',
            settings: { authUrl: 'http://k/v3', networks: ['a', 'b'], securityGroups: [] },
          }),
        );
        assert.deepEqual(await store.getSite('hotel'), site('hotel'));
        assert.deepEqual((await store.getSite('india'))?.settings, {
          authUrl: 'http://k/v3',
          networks: ['a', 'b'],
          securityGroups: [],
        });
        await store.putSite(site('hotel', { driver: 'sim', settings: {}, createdTime: at(9), updatedTime: at(9) }));
        assert.deepEqual(
          await store.getSite('hotel'),
          site('hotel', { driver: 'sim', settings: {}, updatedTime: at(9) }),
        );
        assert.deepEqual(
          (await store.listSites()).map((s) => s.name),
          ['hotel', 'india', 'sierra'],
        );
        assert.equal(await store.getSite('nowhere'), undefined);
      }));

    it('delete is idempotent and leaves the other sites', () =>
      withStore(open, async (store) => {
        await store.putSite(site('hotel'));
        await store.putSite(site('sierra'));
        assert.equal(await store.deleteSite('hotel'), true);
        assert.equal(await store.deleteSite('hotel'), false);
        assert.equal(await store.deleteSite('nowhere'), false);
        assert.deepEqual(
          (await store.listSites()).map((s) => s.name),
          ['sierra'],
        );
      }));

    it('writes move the change stamp', () =>
      withStore(open, async (store) => {
        const s0 = store.changeStamp();
        await store.putSite(site('hotel'));
        const s1 = store.changeStamp();
        assert.notEqual(s1, s0);
        await store.deleteSite('hotel');
        assert.notEqual(store.changeStamp(), s1);
      }));

    it('a transaction that throws stores no site', () =>
      withStore(open, async (store) => {
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.putSite(site('hotel'));
            throw new Error('abort');
          }),
          /abort/,
        );
        assert.equal(await store.getSite('hotel'), undefined);
      }));
  });
}
