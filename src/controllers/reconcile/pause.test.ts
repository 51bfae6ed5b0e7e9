import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PAUSE_EVERY } from './deps.ts';
import { testWorld } from './testkit.ts';
import { SiteListings } from '../runtime/site-listings.ts';

/** A world of one domain of `size` instances on hotel, converged, whose pass counts its pauses. */
async function converged(size: number) {
  const w = await testWorld({ sites: ['hotel'], clouds: 'hotel:-1', desired: size });
  await w.pass();
  assert.equal(w.running().hotel, size);
  let pauses = 0;
  w.deps.pause = async () => void pauses++;
  return { w, pauses: () => pauses };
}

describe('a pass over a large domain pauses (gives the event loop a turn when due)', () => {
  it('between its steps, and every PAUSE_EVERY instances of each loop over them', async () => {
    const small = await converged(10);
    await small.w.pass();
    const between = small.pauses();
    assert.ok(between >= 5, `a pause between each step (${between})`);

    const large = await converged(2 * PAUSE_EVERY);
    await large.w.pass();
    // adopt, follow and forget each walk the 1,000 instances: two pauses each.
    assert.equal(large.pauses(), between + 3 * 2);
  });

  it('while a shared listing is split by group', async () => {
    const { w } = await converged(2 * PAUSE_EVERY);
    let pauses = 0;
    const listings = new SiteListings('install-1', w.deps.driverFor, async () => void pauses++);
    const listed = await listings.observe(w.user.id, 'hotel', 'web', new AbortController().signal);
    assert.equal(listed.length, 2 * PAUSE_EVERY);
    assert.equal(pauses, 2);
  });
});
