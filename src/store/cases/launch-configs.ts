import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fullLaunchConfiguration,
  launchConfiguration,
  names,
  rejectsWith,
  withStore,
  type OpenStore,
} from './fixtures.ts';

const ALL = Number.MAX_SAFE_INTEGER;

/** Contract cases: launch configurations. */
export function launchConfigurationCases(open: OpenStore): void {
  describe('launch configurations', () => {
    it('round-trips a minimal and a full record (optional fields absent and present)', () =>
      withStore(open, async (store) => {
        const minimal = launchConfiguration('u1', 'lc1@hotel');
        const full = fullLaunchConfiguration('u1', 'lc1@sierra');
        const publicIp = launchConfiguration('u1', 'lc2', { associatePublicIpAddress: true, userData: '' });
        for (const lc of [minimal, full, publicIp]) await store.createLaunchConfiguration(lc);
        assert.deepEqual(await store.getLaunchConfiguration('u1', 'lc1@hotel'), minimal);
        assert.deepEqual(await store.getLaunchConfiguration('u1', 'lc1@sierra'), full);
        assert.deepEqual(await store.getLaunchConfiguration('u1', 'lc2'), publicIp);
        assert.equal(await store.getLaunchConfiguration('u1', 'lc1'), undefined);
        assert.deepEqual(await store.listLaunchConfigurations('u1', { limit: ALL }), [minimal, full, publicIp]);
      }));

    it("refuses a duplicate name with AWS's message and keeps the original", () =>
      withStore(open, async (store) => {
        const original = launchConfiguration('u1', 'lc1@hotel');
        await store.createLaunchConfiguration(original);
        const message = await rejectsWith(
          store.createLaunchConfiguration(fullLaunchConfiguration('u1', 'lc1@hotel')),
          'AlreadyExists',
        );
        assert.equal(
          message,
          'Launch Configuration by this name already exists - A launch configuration already exists with the name lc1@hotel',
        );
        assert.deepEqual(await store.getLaunchConfiguration('u1', 'lc1@hotel'), original);
        assert.equal(await store.countLaunchConfigurations('u1'), 1);
      }));

    it('keeps owners apart even with the same names', () =>
      withStore(open, async (store) => {
        const a = launchConfiguration('ua', 'lc1@hotel');
        await store.createLaunchConfiguration(a);
        await store.createLaunchConfiguration(launchConfiguration('ua', 'only-a'));
        assert.equal(await store.getLaunchConfiguration('ub', 'lc1@hotel'), undefined);
        assert.deepEqual(await store.listLaunchConfigurations('ub', { limit: ALL }), []);
        assert.deepEqual(
          await store.listLaunchConfigurations('ub', { names: ['lc1@hotel', 'only-a'], limit: ALL }),
          [],
        );
        assert.equal(await store.countLaunchConfigurations('ub'), 0);
        assert.equal(await store.deleteLaunchConfiguration('ub', 'lc1@hotel'), false);

        const b = fullLaunchConfiguration('ub', 'lc1@hotel');
        await store.createLaunchConfiguration(b);
        assert.deepEqual(await store.getLaunchConfiguration('ua', 'lc1@hotel'), a);
        assert.deepEqual(await store.getLaunchConfiguration('ub', 'lc1@hotel'), b);
        assert.equal(await store.deleteLaunchConfiguration('ub', 'lc1@hotel'), true);
        assert.deepEqual(await store.getLaunchConfiguration('ua', 'lc1@hotel'), a);
        assert.equal(await store.countLaunchConfigurations('ua'), 2);
      }));

    it('pages by name: names filter, exclusive after, limit, ascending order', () =>
      withStore(open, async (store) => {
        for (const name of ['d', 'b', 'a@x', 'c', 'a', 'B'])
          await store.createLaunchConfiguration(launchConfiguration('u1', name));
        await store.createLaunchConfiguration(launchConfiguration('u2', 'a0'));
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { limit: ALL })), [
          'B',
          'a',
          'a@x',
          'b',
          'c',
          'd',
        ]);
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { limit: 2 })), ['B', 'a']);
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { after: 'a', limit: 2 })), ['a@x', 'b']);
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { after: 'a0', limit: ALL })), [
          'a@x',
          'b',
          'c',
          'd',
        ]);
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { after: 'd', limit: ALL })), []);
        assert.deepEqual(names(await store.listLaunchConfigurations('u1', { names: ['d', 'a', 'zz'], limit: ALL })), [
          'a',
          'd',
        ]);
        assert.deepEqual(
          names(await store.listLaunchConfigurations('u1', { names: ['d', 'a', 'c'], after: 'a', limit: 1 })),
          ['c'],
        );
        assert.deepEqual(await store.listLaunchConfigurations('u1', { names: [], limit: ALL }), []);
        assert.deepEqual(await store.listLaunchConfigurations('u1', { limit: 0 }), []);
      }));

    it('counts per owner and deletes idempotently', () =>
      withStore(open, async (store) => {
        assert.equal(await store.countLaunchConfigurations('u1'), 0);
        await store.createLaunchConfiguration(launchConfiguration('u1', 'a'));
        await store.createLaunchConfiguration(launchConfiguration('u1', 'b'));
        await store.createLaunchConfiguration(launchConfiguration('u2', 'a'));
        assert.equal(await store.countLaunchConfigurations('u1'), 2);
        assert.equal(await store.deleteLaunchConfiguration('u1', 'a'), true);
        assert.equal(await store.deleteLaunchConfiguration('u1', 'a'), false);
        assert.equal(await store.countLaunchConfigurations('u1'), 1);
        assert.equal(await store.countLaunchConfigurations('u2'), 1);
        await store.createLaunchConfiguration(launchConfiguration('u1', 'a'));
        assert.equal(await store.countLaunchConfigurations('u1'), 2);
      }));
  });
}
