import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evictSecondChance } from './eviction.ts';

describe('evictSecondChance', () => {
  it('drops the oldest unmarked entry, moving marked ones to the back unmarked', () => {
    const entries = new Map([
      ['a', { used: true }],
      ['b', { used: false }],
      ['c', { used: true }],
    ]);
    const b = entries.get('b');
    assert.equal(evictSecondChance(entries), b, 'returns the entry it dropped');
    assert.deepEqual(
      [...entries],
      [
        ['c', { used: true }],
        ['a', { used: false }],
      ],
    );
    evictSecondChance(entries);
    assert.deepEqual([...entries], [['c', { used: false }]], 'c is passed over once (losing its mark); a goes');
  });
});
