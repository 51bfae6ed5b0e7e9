import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AWS_ACTIONS, IMPLEMENTED_ACTIONS } from './index.ts';

describe('action registry', () => {
  it("lists AWS's 66 operations once each, and implements 33 of them", () => {
    assert.equal(AWS_ACTIONS.length, 66);
    assert.equal(new Set(AWS_ACTIONS).size, 66);
    assert.equal(IMPLEMENTED_ACTIONS.size, 33);
    assert.deepEqual(
      [...IMPLEMENTED_ACTIONS.keys()].filter((a) => !AWS_ACTIONS.includes(a)),
      [],
    );
  });
  it('marks exactly the Describe* actions read-only (cacheable)', () => {
    for (const [name, action] of IMPLEMENTED_ACTIONS)
      assert.equal(Boolean(action.readOnly), name.startsWith('Describe'), name);
  });
});
