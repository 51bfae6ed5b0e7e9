import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Ec2Driver } from '../../drivers/ec2/ec2-driver.ts';
import { testWorld } from './testkit.ts';

/** A loopback port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('reconciler: a site that keeps answering transient errors', () => {
  it('is backed off for everyone after 3 in a row, and the domain converges on the next site', async () => {
    const w = await testWorld({ clouds: 'hotel:2,sierra:-1', desired: 3 });
    w.sims.hotel!.setKnobs({ failCalls: { launch: 'transient' } });
    for (let i = 0; i < 3; i++) {
      await w.pass();
      w.clock.advance(1000);
    }
    assert.deepEqual(w.running(), { hotel: 0, sierra: 3 });
    const failed = (await w.activities()).filter((a) => a.statusCode === 'Failed');
    assert.equal(failed.length, 3, 'three attempts, then the site is backed off');
    const block = w.deps.backoff.launchBlock('hotel', 'anybody', w.clock.now());
    assert.equal(block?.reason, 'transient', 'for every user');
    assert.deepEqual(
      w.events
        .filter((e) => e.kind === 'backoff-start' || e.kind === 'overflow')
        .map((e) => [e.kind, e.site, e.reason, e.group]),
      [
        ['backoff-start', 'hotel', 'transient', undefined],
        ['overflow', 'sierra', 'from hotel (transient)', 'web'],
      ],
    );
    assert.equal((await w.store.listIntents({ states: ['pending'] })).length, 0, 'intents on hotel were given up');
    for (let i = 0; i < 5; i++) {
      await w.pass();
      w.clock.advance(1000);
    }
    assert.equal(
      (await w.activities()).filter((a) => a.statusCode === 'Failed').length,
      3,
      'no retry while backed off',
    );
  });

  it('a success resets the count: isolated transient errors back nothing off', async () => {
    const w = await testWorld({ clouds: 'hotel:-1', desired: 1, sites: ['hotel'] });
    for (let i = 0; i < 4; i++) {
      w.sims.hotel!.setKnobs({ failCalls: { launch: 'transient' } });
      await w.pass(); // fails: the intent stays pending
      await w.pass(); // fails again
      w.sims.hotel!.setKnobs({ failCalls: {} });
      await w.pass(); // the retry succeeds
      assert.deepEqual(w.running(), { hotel: 1 });
      w.sims.hotel!.kill(w.sims.hotel!.state.list({}, w.clock.now().getTime())[0]!.id);
      await w.pass(); // forgets the killed instance, launches a replacement: fine
    }
    assert.equal(w.deps.backoff.launchUntil('hotel', w.user.id, w.clock.now()), undefined);
    assert.deepEqual(
      w.events.filter((e) => e.kind === 'backoff-start'),
      [],
    );
  });

  it('an EC2 site whose endpoint refuses connections (a closed loopback port) overflows too', async () => {
    const w = await testWorld({ clouds: 'hotel:-1,sierra:-1', desired: 2 });
    w.drivers.hotel = new Ec2Driver({
      site: 'hotel',
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'us-east-1',
      requestTimeoutMs: 2000,
      credentials: { accessKeyId: 'AKIDPHANTOMTEST', secretAccessKey: 'phantom-test-secret' },
    });
    for (let i = 0; i < 3; i++) await w.pass();
    assert.deepEqual(w.running(), { hotel: 0, sierra: 2 });
    const failed = (await w.activities()).filter((a) => a.statusCode === 'Failed');
    assert.equal(failed.length, 3);
    assert.match(failed[0]!.statusMessage ?? '', /ECONNREFUSED/);
  });
});
