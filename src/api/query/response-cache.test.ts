import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseCache } from './response-cache.ts';

const key = (i: number) => `k${String(i).padStart(2, '0')}`;
const bytes = (n: number, fill = 'x') => Buffer.alloc(n, fill);

describe('ResponseCache', () => {
  it('serves an entry only under the stamp it was stored with', () => {
    const cache = new ResponseCache(1024);
    cache.set('k', 's1', bytes(10));
    assert.equal(cache.get('k', 's1')?.length, 10);
    assert.equal(cache.get('k', 's2'), undefined);
    assert.equal(cache.get('k', 's1'), undefined, 'a stale entry is dropped when met');
    assert.equal(cache.bytes, 0);
  });

  it('keeps the total of keys and bodies within its byte bound, dropping entries not used recently first', () => {
    const cache = new ResponseCache(2000); // 12 entries of 150 + 6 bytes
    for (let i = 0; i < 12; i++) cache.set(key(i), 's', bytes(150));
    assert.equal(cache.bytes, 12 * 156);
    assert.ok(cache.get(key(0), 's'));
    for (let i = 12; i < 14; i++) {
      cache.set(key(i), 's', bytes(150));
      assert.ok(cache.bytes <= 2000, `${cache.bytes} bytes held`);
    }
    assert.ok(cache.get(key(0), 's'), 'k0 was used: it got a second chance');
    assert.equal(cache.get(key(1), 's'), undefined);
    assert.equal(cache.get(key(2), 's'), undefined);
    assert.ok(cache.get(key(13), 's'));
  });

  it('does not keep a body larger than an eighth of the bound', () => {
    const cache = new ResponseCache(800);
    cache.set('small', 's', bytes(50));
    cache.set('big', 's', bytes(101));
    assert.equal(cache.get('big', 's'), undefined);
    assert.ok(cache.get('small', 's'));
  });

  it('replacing an entry counts its bytes once', () => {
    const cache = new ResponseCache(1000);
    cache.set('k', 's1', bytes(100));
    cache.set('k', 's2', bytes(40));
    assert.equal(cache.bytes, 40 + ResponseCache.keyBytes('k'));
  });

  it('admits a key only once it comes back, and forgets sightings beyond its bound', () => {
    const cache = new ResponseCache(1000, 3);
    assert.equal(cache.admits('a'), false, 'first sighting');
    assert.equal(cache.admits('a'), true, 'second sighting');
    assert.equal(cache.admits('b'), false);
    assert.equal(cache.admits('c'), false);
    assert.equal(cache.admits('d'), false, 'the doorkeeper was full: it starts over');
    assert.equal(cache.admits('a'), false, 'a was forgotten');
    assert.equal(cache.admits('d'), true);
  });
});
