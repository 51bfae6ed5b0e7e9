import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { engineFor } from './registry.ts';
import { nPreservingOverflow } from './n-preserving-overflow/engine.ts';

describe('engine registry', () => {
  it('maps both overflow names to the n-preserving overflow engine', () => {
    assert.equal(engineFor('error_overflow_n_preserving'), nPreservingOverflow);
    assert.equal(engineFor('aws-overflow'), nPreservingOverflow);
  });
  it('refuses an unknown name at run time', () => {
    assert.throws(() => engineFor('nope' as never), /unknown decision engine nope/);
  });
  it('a registered engine parses its config then decides', () => {
    const engine = engineFor('aws-overflow');
    const plan = engine.decide(
      { desired: 1, sites: [{ site: 'hotel', max: 1 }], instances: [], now: new Date(0) },
      engine.parseConfig({}),
    );
    assert.deepEqual(plan, { launches: [{ site: 'hotel', count: 1 }], terminations: [] });
  });
});
