import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inTier, testFiles } from '../../scripts/test-tiers.mjs';

const files: string[] = testFiles(['src', 'test']);
const tier = (name: string): string[] => inTier(name, files);

describe('test tiers', () => {
  it('fast and e2e split all the test files between them', () => {
    assert.deepEqual([...tier('fast'), ...tier('e2e')].sort(), tier('all'));
    assert.equal(tier('all').length, files.length);
    assert.ok(tier('fast').every((f) => !tier('e2e').includes(f)));
  });
  it('keeps the kill and real-client tests out of the fast tier', () => {
    for (const file of ['test/e2e/kill.test.ts', 'test/e2e/boto3.test.ts', 'test/e2e/awscli.test.ts']) {
      assert.ok(tier('e2e').includes(file), file);
    }
    assert.ok(tier('fast').includes('test/integration/groups.test.ts'));
    assert.ok(tier('fast').includes('src/lib/lib.test.ts'));
  });
  it('refuses an unknown tier', () => {
    assert.throws(() => tier('slow'), /unknown tier 'slow'/);
  });
});
