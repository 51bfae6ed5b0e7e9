import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StampedCache } from './stamped-cache.ts';

describe('StampedCache', () => {
  it('serves a value only under the stamp it was filled under', () => {
    const cache = new StampedCache<string>(10);
    cache.set('k', 's1', 'v1');
    assert.equal(cache.get('k', 's1'), 'v1');
    assert.equal(cache.get('k', 's2'), undefined);
    assert.equal(cache.get('k', 's1'), undefined, 'a stale entry is dropped');
  });
  it('evicts the least recently used entry', () => {
    const cache = new StampedCache<number>(2);
    cache.set('a', 's', 1);
    cache.set('b', 's', 2);
    cache.get('a', 's');
    cache.set('c', 's', 3);
    assert.equal(cache.get('b', 's'), undefined);
    assert.equal(cache.get('a', 's'), 1);
    assert.equal(cache.get('c', 's'), 3);
  });
  it('loads through once per stamp and does not cache failures', async () => {
    const cache = new StampedCache<number>(10);
    let loads = 0;
    const load = async () => ++loads;
    assert.equal(await cache.through('k', 's', load), 1);
    assert.equal(await cache.through('k', 's', load), 1);
    assert.equal(await cache.through('k', 't', load), 2);
    await assert.rejects(cache.through('x', 's', async () => Promise.reject(new Error('boom'))));
    assert.equal(cache.get('x', 's'), undefined);
  });
});
