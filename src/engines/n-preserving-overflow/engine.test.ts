import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import { nPreservingOverflow } from './engine.ts';
import type { OverflowConfig } from './config.ts';
import { applyPlan, inputOf, render } from './testkit.ts';

interface Row {
  name: string;
  sites: string;
  desired: number;
  instances?: string;
  /** Minutes from now until the site is usable again (≤ 0: already usable). */
  backedOff?: Record<string, number>;
  config?: OverflowConfig;
  launches?: string;
  terminations?: string;
}

const rows: Row[] = [
  {
    name: 'seed: hotel:1 sierra:2, size 3, from empty',
    sites: 'hotel:1 sierra:2',
    desired: 3,
    launches: 'hotel:1 sierra:2',
  },
  {
    name: 'seed: altered to 2 removes one from sierra (newest)',
    sites: 'hotel:1 sierra:2',
    desired: 2,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2',
    terminations: 'c:scale-in',
  },
  {
    name: 'desired 0 removes everything, lowest rank and newest first',
    sites: 'hotel:1 sierra:2',
    desired: 0,
    instances: 'a@hotel+9 b@sierra+1 c@sierra+2',
    terminations: 'c:scale-in b:scale-in a:scale-in',
  },
  {
    name: 'at desired: nothing to do',
    sites: 'hotel:1 sierra:2',
    desired: 3,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2',
  },
  {
    name: 'pending (just launched) instances count as healthy',
    sites: 'hotel:1 sierra:2',
    desired: 3,
    instances: 'a@hotel+60 b@sierra+60',
    launches: 'sierra:1',
  },
  { name: 'unlimited first site takes everything', sites: 'hotel:-1 sierra:2', desired: 5, launches: 'hotel:5' },
  {
    name: 'unlimited second site takes the overflow',
    sites: 'hotel:1 sierra:-1',
    desired: 5,
    instances: 'a@hotel+0',
    launches: 'sierra:4',
  },
  {
    name: 'hotel backed off: its share overflows to sierra in the same pass',
    sites: 'hotel:2 sierra:-1',
    desired: 3,
    backedOff: { hotel: 5 },
    launches: 'sierra:3',
  },
  {
    name: 'hotel backed off and sierra capped: launch what fits, the rest waits',
    sites: 'hotel:1 sierra:2',
    desired: 3,
    backedOff: { hotel: 5 },
    launches: 'sierra:2',
  },
  {
    name: 'a backed-off site is still scaled in',
    sites: 'hotel:1 sierra:2',
    desired: 1,
    instances: 'a@hotel+0 b@sierra+1',
    backedOff: { sierra: 5 },
    terminations: 'b:scale-in',
  },
  {
    name: 'backoff over (ends now): move back launches on hotel first',
    sites: 'hotel:1 sierra:-1',
    desired: 3,
    instances: 'a@sierra+0 b@sierra+1 c@sierra+2',
    backedOff: { hotel: 0 },
    launches: 'hotel:1',
  },
  {
    name: 'move back, next pass: scale in newest on the lowest rank, not the newer hotel one',
    sites: 'hotel:1 sierra:-1',
    desired: 3,
    instances: 'h@hotel+30 a@sierra+0 b@sierra+1 c@sierra+2',
    terminations: 'c:scale-in',
  },
  {
    name: 'move back done: back in rank order',
    sites: 'hotel:1 sierra:-1',
    desired: 3,
    instances: 'h@hotel+30 a@sierra+0 b@sierra+1',
  },
  {
    name: 'move back waits while hotel is still backed off',
    sites: 'hotel:1 sierra:-1',
    desired: 3,
    instances: 'a@sierra+0 b@sierra+1 c@sierra+2',
    backedOff: { hotel: 1 },
  },
  {
    name: 'move back with maxSurge 2 launches two at once',
    sites: 'hotel:2 sierra:1 tango:-1',
    desired: 3,
    instances: 'a@tango+0 b@tango+1 c@tango+2',
    config: { maxSurge: 2 },
    launches: 'hotel:2',
  },
  {
    name: 'move back pairs places with lower-ranked instances only',
    sites: 'hotel:2 sierra:2 tango:-1',
    desired: 3,
    instances: 'a@sierra+0 b@sierra+1 c@tango+2',
    config: { maxSurge: 3 },
    launches: 'hotel:2',
  },
  {
    name: 'maxSurge 0 never moves load back',
    sites: 'hotel:1 sierra:-1',
    desired: 3,
    instances: 'a@sierra+0 b@sierra+1 c@sierra+2',
    config: { maxSurge: 0 },
  },
  {
    name: 'move back ignores protected instances (they would never be scaled in)',
    sites: 'hotel:1 sierra:-1',
    desired: 2,
    instances: 'a@sierra+0p b@sierra+1p',
  },
  {
    name: 'cap lowered: shed newest on that site, nowhere else to go',
    sites: 'hotel:1 sierra:1',
    desired: 3,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2',
    terminations: 'c:over-site-cap',
  },
  {
    name: 'cap lowered: protected instances are shed last',
    sites: 'hotel:1 sierra:1',
    desired: 2,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2p',
    terminations: 'b:over-site-cap',
  },
  {
    name: 'cap lowered to 0 sheds protected too',
    sites: 'hotel:1 sierra:0',
    desired: 1,
    instances: 'a@hotel+0 b@sierra+1p',
    terminations: 'b:over-site-cap',
  },
  {
    name: 'cap lowered with room above: shed and relaunch on hotel',
    sites: 'hotel:-1 sierra:1',
    desired: 3,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2',
    terminations: 'c:over-site-cap',
    launches: 'hotel:1',
  },
  {
    name: 'site removed from the list: its instances are over a cap of 0',
    sites: 'hotel:2',
    desired: 2,
    instances: 'a@hotel+0 z@gone+1',
    terminations: 'z:over-site-cap',
    launches: 'hotel:1',
  },
  {
    name: 'unhealthy on sierra replaced on the highest-ranked site with room',
    sites: 'hotel:2 sierra:2',
    desired: 3,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2u',
    terminations: 'c:unhealthy',
    launches: 'hotel:1',
  },
  {
    name: 'unhealthy on hotel replaced on hotel',
    sites: 'hotel:1 sierra:2',
    desired: 3,
    instances: 'a@hotel+0u b@sierra+1 c@sierra+2',
    terminations: 'a:unhealthy',
    launches: 'hotel:1',
  },
  {
    name: 'unhealthy terminated in rank then age order, even at desired 0',
    sites: 'hotel:2 sierra:2',
    desired: 0,
    instances: 'd@sierra+0u c@hotel+5u b@hotel+1u',
    terminations: 'b:unhealthy c:unhealthy d:unhealthy',
  },
  {
    name: 'all sites full: nothing launched',
    sites: 'hotel:1 sierra:2',
    desired: 5,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2',
  },
  {
    name: 'scale-in never picks protected instances',
    sites: 'hotel:1 sierra:2',
    desired: 1,
    instances: 'a@hotel+0 b@sierra+1p c@sierra+2p',
    terminations: 'a:scale-in',
  },
  {
    name: 'scale-in crosses sites from the lowest rank',
    sites: 'hotel:1 sierra:2 tango:1',
    desired: 1,
    instances: 'a@hotel+0 b@sierra+1 c@sierra+2 t@tango+0',
    terminations: 't:scale-in c:scale-in b:scale-in',
  },
  {
    name: 'tie on launch time: the higher instance id counts as newer',
    sites: 'hotel:1 sierra:2',
    desired: 1,
    instances: 'a@hotel+0 y@sierra+3 x@sierra+3',
    terminations: 'y:scale-in x:scale-in',
  },
  {
    name: 'tie on launch time, partial: only the higher id goes',
    sites: 'hotel:-1',
    desired: 2,
    instances: 'm@hotel+3 k@hotel+3 n@hotel+3',
    terminations: 'n:scale-in',
  },
];

describe('n-preserving overflow engine: decision table', () => {
  for (const row of rows) {
    it(row.name, () => {
      const input = inputOf(row.sites, row.desired, row.instances, row.backedOff);
      const plan = nPreservingOverflow.decide(input, row.config ?? nPreservingOverflow.parseConfig(undefined));
      assert.deepEqual(render(plan), { launches: row.launches ?? '', terminations: row.terminations ?? '' });
    });
  }
});

describe('n-preserving overflow engine: passes', () => {
  it('the input is not mutated and the same input gives the same plan', () => {
    const input = inputOf('hotel:1 sierra:2', 1, 'c@sierra+2 a@hotel+0 b@sierra+1 d@hotel+0u');
    const before = JSON.stringify(input);
    const first = nPreservingOverflow.decide(input, { maxSurge: 1 });
    assert.equal(JSON.stringify(input), before);
    assert.deepEqual(nPreservingOverflow.decide(input, { maxSurge: 1 }), first);
    assert.deepEqual(render(first), { launches: '', terminations: 'd:unhealthy c:scale-in b:scale-in' });
  });

  it('load moves back one instance per two passes, never above desired + 1', () => {
    let input = inputOf('hotel:2 sierra:-1', 3, 'a@sierra+0 b@sierra+1 c@sierra+2');
    const trace: string[] = [];
    for (let pass = 0; pass < 6; pass++) {
      const plan = nPreservingOverflow.decide(input, { maxSurge: 1 });
      const r = render(plan);
      trace.push(`${r.launches}|${r.terminations}`);
      input = applyPlan(input, plan, `p${pass}`);
      assert.ok(input.instances.length <= 4);
    }
    assert.deepEqual(trace, ['hotel:1|', '|c:scale-in', 'hotel:1|', '|b:scale-in', '|', '|']);
    assert.deepEqual(input.instances.map((i) => i.site).sort(), ['hotel', 'hotel', 'sierra']);
  });
});

describe('n-preserving overflow engine: config', () => {
  const rejects = (raw: unknown, pattern: RegExp) =>
    assert.throws(
      () => nPreservingOverflow.parseConfig(raw),
      (e: unknown) => e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message),
    );

  it('defaults maxSurge to 1', () => {
    assert.deepEqual(nPreservingOverflow.parseConfig(undefined), { maxSurge: 1 });
    assert.deepEqual(nPreservingOverflow.parseConfig(null), { maxSurge: 1 });
    assert.deepEqual(nPreservingOverflow.parseConfig({}), { maxSurge: 1 });
    assert.deepEqual(nPreservingOverflow.parseConfig({ maxSurge: 0 }), { maxSurge: 0 });
  });
  it('refuses bad values naming the field', () => {
    for (const bad of [-1, 1.5, '2', Number.NaN, 1001]) rejects({ maxSurge: bad }, /maxSurge/);
    rejects({ maxSurg: 1 }, /unknown field maxSurg/);
    rejects([1], /expected an object/);
    rejects('x', /expected an object/);
  });
});
