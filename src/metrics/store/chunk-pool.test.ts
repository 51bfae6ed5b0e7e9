import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkPool } from './chunk-pool.ts';

describe('ChunkPool', () => {
  it('hands out disjoint chunks across slabs, and reuses released ones zeroed', () => {
    const pool = new ChunkPool(4, 2);
    const ids = [pool.allocate(), pool.allocate(), pool.allocate()];
    assert.deepEqual(ids, [0, 1, 2]);
    assert.notEqual(pool.slabOf(1), pool.slabOf(2)); // the third chunk opened a second slab
    for (const id of ids) pool.slabOf(id).fill(id + 1, pool.offsetOf(id), pool.offsetOf(id) + 4);
    assert.deepEqual([...pool.slabOf(0)], [1, 1, 1, 1, 2, 2, 2, 2]);
    pool.release(1);
    assert.equal(pool.live, 2);
    const again = pool.allocate();
    assert.equal(again, 1);
    assert.deepEqual([...pool.slabOf(again).subarray(pool.offsetOf(again), pool.offsetOf(again) + 4)], [0, 0, 0, 0]);
    assert.deepEqual([...pool.slabOf(0).subarray(0, 4)], [1, 1, 1, 1]);
  });
});
