import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LaunchBudget } from '../../contracts/reconcile.ts';
import { createGroup } from '../../services/groups.ts';
import { LAUNCH_BUDGET_REQUEUE_MS } from './report.ts';
import { testWorld } from './testkit.ts';

/** A budget of `slots` launches per site for the whole test (a batch that never ends). */
function budgetOf(slots: number): LaunchBudget & { taken: string[] } {
  const left = new Map<string, number>();
  const taken: string[] = [];
  return {
    taken,
    take(owner, site) {
      const n = left.get(site) ?? slots;
      if (n === 0) return false;
      left.set(site, n - 1);
      taken.push(`${owner}@${site}`);
      return true;
    },
  };
}

describe('reconciler launches: errors and the launch budget', () => {
  it('lets an error that is not a CloudError propagate, recording no failure and backing nothing off', async () => {
    const w = await testWorld({ clouds: 'hotel:2,sierra:-1', desired: 2 });
    const putInstance = w.store.putInstance.bind(w.store);
    w.store.putInstance = async () => {
      throw new TypeError('a bug after the cloud call');
    };
    await assert.rejects(w.pass(), /a bug after the cloud call/);
    w.store.putInstance = putInstance;
    const failed = (await w.activities()).filter((a) => a.statusCode === 'Failed');
    assert.deepEqual(failed, [], 'no failed activity blames the user');
    assert.equal(w.deps.backoff.launchUntil('hotel', w.user.id, w.clock.now()), undefined, 'hotel is not backed off');
    assert.deepEqual(
      w.events.map((e) => e.kind),
      [],
      'no decision reported',
    );
    await w.pass();
    assert.deepEqual(w.running(), { hotel: 2, sierra: 0 }, 'the next pass adopts what launched and goes on');
  });

  it('a launch configuration without an entry for the site is the user’s invalid launch: failed activity, backoff for that user, overflow', async () => {
    const w = await testWorld({ clouds: 'hotel:-1', desired: 0, withoutEntry: ['sierra'] });
    // A plain AWS group ranks the sites its AvailabilityZones name, covered by its launch configuration or not.
    await createGroup(w.services, w.user, {
      name: 'plain',
      launchConfigurationName: 'web@hotel',
      minSize: 2,
      maxSize: 2,
      availabilityZones: ['sierra', 'hotel'],
      loadBalancerNames: [],
      targetGroupARNs: [],
      tags: [],
    });
    await w.pass('plain');
    assert.deepEqual(w.running(), { hotel: 2, sierra: 0 }, 'overflows to hotel in the same pass');
    const failed = (await w.activities('plain')).filter((a) => a.statusCode === 'Failed');
    assert.deepEqual(
      failed.map((a) => a.statusMessage),
      ['Launch configuration web has no entry for site sierra'],
    );
    const block = w.deps.backoff.launchBlock('sierra', w.user.id, w.clock.now());
    assert.equal(block?.reason, 'invalid');
    assert.equal(w.deps.backoff.launchUntil('sierra', 'someone-else', w.clock.now()), undefined, 'for this user only');
    assert.deepEqual(
      w.events.filter((e) => e.kind !== 'launch').map((e) => [e.kind, e.site, e.reason]),
      [
        ['launch-failed', 'sierra', 'invalid'],
        ['backoff-start', 'sierra', 'invalid'],
        ['overflow', 'hotel', 'from sierra (invalid)'],
      ],
    );
  });

  it('stops launching on a site when the budget says no: no failure, no backoff, a short requeue', async () => {
    const w = await testWorld({ clouds: 'hotel:-1', desired: 5, sites: ['hotel'] });
    const budget = budgetOf(2);
    w.deps.launchBudget = budget;
    const result = await w.pass();
    assert.deepEqual(w.running(), { hotel: 2 });
    assert.equal(result.requeueAfterMs, LAUNCH_BUDGET_REQUEUE_MS);
    assert.equal((await w.activities()).filter((a) => a.statusCode === 'Failed').length, 0);
    assert.equal(w.deps.backoff.launchUntil('hotel', w.user.id, w.clock.now()), undefined);
    assert.deepEqual(
      w.events.filter((e) => e.kind !== 'launch'),
      [],
      'no shortfall: the budget, not the sites, held it back',
    );
    w.deps.launchBudget = budgetOf(10);
    assert.deepEqual(await w.pass(), {}, 'a converged domain asks for nothing');
    assert.deepEqual(w.running(), { hotel: 5 });
  });

  it('retries of pending intents take a slot too', async () => {
    const w = await testWorld({ clouds: 'hotel:-1', desired: 2, sites: ['hotel'] });
    w.sims.hotel!.setKnobs({ failCalls: { launch: 'throttled' } });
    await w.pass();
    assert.equal((await w.store.listIntents({ states: ['pending'] })).length, 2, 'throttled: kept for a retry');
    w.sims.hotel!.setKnobs({ failCalls: {} });
    const budget = budgetOf(1);
    w.deps.launchBudget = budget;
    await w.pass();
    assert.deepEqual(budget.taken, [`${w.user.id}@hotel`]);
    assert.deepEqual(w.running(), { hotel: 1 }, 'one retry ran, the other waits for a slot');
    assert.equal((await w.store.listIntents({ states: ['pending'] })).length, 1);
  });
});
