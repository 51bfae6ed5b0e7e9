import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setDesiredCapacity } from '../../services/groups.ts';
import { setInstanceHealth } from '../../services/instances.ts';
import { domainTags } from '../ownership.ts';
import { testWorld } from './testkit.ts';

describe('reconciler: one decision event per decision', () => {
  it('launch, terminate, replace and shed, each naming its activity where there is one', async () => {
    const w = await testWorld({ clouds: 'hotel:1,sierra:2', desired: 3 });
    await w.pass();
    const launches = w.events.filter((e) => e.kind === 'launch');
    assert.deepEqual(
      launches.map((e) => [e.site, e.count, e.group]),
      [
        ['hotel', 1, 'web'],
        ['sierra', 1, 'web'],
        ['sierra', 1, 'web'],
      ],
    );
    const activities = await w.activities();
    for (const e of launches)
      assert.ok(activities.some((a) => a.activityId === e.activityId && a.statusCode === 'Successful'));

    w.events.length = 0;
    await setDesiredCapacity(w.services, w.user, 'web', 2);
    await w.pass();
    assert.deepEqual(
      w.events.map((e) => [e.kind, e.site, e.reason]),
      [['terminate', 'sierra', 'scale-in']],
    );
    const terminated = (await w.activities()).find((a) => a.activityId === w.events[0]!.activityId);
    assert.match(terminated?.description ?? '', /^Terminating EC2 instance/);

    w.events.length = 0;
    const [victim] = await w.store.listInstances(w.user.id, { groupName: 'web' });
    await setInstanceHealth(w.services, w.user, victim!.instanceId, 'Unhealthy', false);
    await w.pass();
    assert.deepEqual(
      w.events.map((e) => [e.kind, e.site, e.reason]),
      [
        ['replace', victim!.site, 'unhealthy'],
        ['launch', victim!.site, 'desired-capacity'],
      ],
    );

    w.events.length = 0;
    await w.sims.hotel!.driver.launch(
      { clientToken: 'stray', imageId: 'x', instanceType: 'm1.small', tags: domainTags('install-1', w.user.id, 'web') },
      new AbortController().signal,
    );
    w.clock.advance(61_000);
    await w.pass();
    assert.deepEqual(
      w.events.filter((e) => e.kind === 'shed').map((e) => [e.site, e.count, e.reason]),
      [['hotel', 1, 'untracked']],
    );
  });
});
