import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShortfallEpisodes } from './shortfall.ts';
import { testWorld } from './testkit.ts';

describe('reconciler: a shortfall is said once per episode', () => {
  it('one activity and one event while every site is full or backed off, and an end when it recovers', async () => {
    const w = await testWorld({ clouds: 'hotel:1,sierra:-1', desired: 3 });
    w.sims.sierra!.setKnobs({ capacity: 0 });
    const result = await w.pass();
    assert.deepEqual(w.running(), { hotel: 1, sierra: 0 });
    assert.equal(result.requeueAfterMs, 10_000, 'asks to come back when sierra’s backoff ends');
    for (let i = 0; i < 6; i++) {
      w.clock.advance(5_000); // sierra's backoff ends and starts again (10 s, then 20 s)
      await w.pass();
    }
    const said = (await w.activities()).filter((a) => a.description.includes('Status Reason: could not launch'));
    assert.equal(said.length, 1, 'said once, not every pass');
    assert.match(
      said[0]!.statusMessage ?? '',
      /^could not launch 2 instances: every site is full or backed off \(hotel: full at 1, sierra: capacity until 2026-11-25T12:00:10\.000Z\)$/,
    );
    const shortfalls = w.events.filter((e) => e.kind === 'shortfall');
    assert.deepEqual(
      shortfalls.map((e) => [e.count, e.activityId]),
      [[2, said[0]!.activityId]],
    );

    w.sims.sierra!.setKnobs({ capacity: 10 });
    w.clock.advance(60_000);
    await w.pass();
    assert.deepEqual(w.running(), { hotel: 1, sierra: 2 });
    assert.deepEqual(
      w.events.filter((e) => e.kind === 'shortfall-end').map((e) => e.group),
      ['web'],
      'the end is said once it recovers',
    );
    assert.equal(w.events.filter((e) => e.kind === 'backoff-end').length, 1, 'and sierra’s backoff ended');
  });

  it('a domain that is merely scaling up (a site has room) is not short', async () => {
    const w = await testWorld({ clouds: 'hotel:1,sierra:-1', desired: 3, bootMs: 5000 });
    await w.pass();
    await w.pass();
    assert.deepEqual(
      w.events.filter((e) => e.kind.startsWith('shortfall')),
      [],
    );
  });

  it('remembers a bounded number of episodes', () => {
    const episodes = new ShortfallEpisodes(2);
    assert.equal(episodes.start('ann', 'a'), true);
    assert.equal(episodes.start('ann', 'a'), false);
    episodes.start('ann', 'b');
    episodes.start('ann', 'c');
    assert.equal(episodes.size, 2);
    assert.equal(episodes.end('ann', 'a'), false, 'the oldest was forgotten');
    assert.equal(episodes.end('ann', 'c'), true);
    assert.equal(episodes.end('ann', 'c'), false);
  });
});
