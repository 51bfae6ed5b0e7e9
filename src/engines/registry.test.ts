import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineRegistry, engineFor } from './registry.ts';
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
  it('selects the engine by the group definition: a Phantom domain by its PHANTOM_DEFINITION, a plain group aws-overflow', () => {
    const registry = new EngineRegistry();
    const domain = {
      tags: [{ key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false }],
    };
    assert.equal(registry.select(domain).name, 'error_overflow_n_preserving');
    assert.equal(registry.select({ tags: [] }).name, 'aws-overflow');
    assert.equal(
      registry.select({ tags: [{ key: 'PHANTOM_DEFINITION', value: 'sensor_engine', propagateAtLaunch: false }] }).name,
      'error_overflow_n_preserving',
      "the original's sensor_engine domains are placed by the overflow engine",
    );
    assert.throws(
      () =>
        registry.select({
          tags: [{ key: 'PHANTOM_DEFINITION', value: 'multi_site_n_preserving', propagateAtLaunch: false }],
        }),
      /no decision engine implements the definition multi_site_n_preserving/,
    );
  });
  it('parses the engine config once per group record', () => {
    let parses = 0;
    const parseConfig = nPreservingOverflow.parseConfig;
    nPreservingOverflow.parseConfig = (raw) => (parses++, parseConfig(raw));
    try {
      const registry = new EngineRegistry();
      const group = { tags: [] };
      const input = { desired: 1, sites: [{ site: 'hotel', max: 1 }], instances: [], now: new Date(0) };
      for (let i = 0; i < 5; i++) registry.select(group).decide(input);
      assert.equal(parses, 1);
      registry.select({ tags: [] });
      assert.equal(parses, 2, 'a new record (the group changed) is parsed afresh');
    } finally {
      nPreservingOverflow.parseConfig = parseConfig;
    }
  });
});
