import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../../contracts/clock.ts';
import { CloudError, type CloudErrorKind, type LaunchRequest } from '../../contracts/cloud.ts';
import type { SimKnobs } from './knobs.ts';
import { openSimCloud, type SimCloud } from './open.ts';
import { seededRandom } from '../../lib/random.ts';
import { simPrivateAddress, simPublicAddress } from './record.ts';
import type { Sleep } from '../../lib/sleep.ts';

const live = (): AbortSignal => new AbortController().signal;
const req = (token: string, extra: Partial<LaunchRequest> = {}): LaunchRequest => ({
  clientToken: token,
  imageId: 'ami-1',
  instanceType: 'm1.small',
  tags: { owner: 'alice' },
  ...extra,
});
const kind =
  (k: CloudErrorKind) =>
  (e: unknown): boolean =>
    e instanceof CloudError && e.kind === k;

function sim(knobs: Partial<SimKnobs>, seed = 1, sleep?: Sleep): { cloud: SimCloud; clock: FixedClock } {
  const clock = new FixedClock();
  return {
    clock,
    cloud: openSimCloud({ site: 'hotel', clock, random: seededRandom(seed), knobs, ...(sleep ? { sleep } : {}) }),
  };
}

const states = async (cloud: SimCloud): Promise<string[]> =>
  (await cloud.driver.listInstances({ tags: {} }, live())).map((i) => i.state);

describe('sim knobs', () => {
  it('bootMs: pending until exactly bootMs has passed, then running with a public address', async () => {
    const { cloud, clock } = sim({ bootMs: 5000 });
    const launched = await cloud.driver.launch(req('t'), live());
    assert.equal(launched.publicAddress, undefined);
    assert.equal(launched.privateAddress, simPrivateAddress('hotel', 0));
    clock.advance(4999);
    assert.deepEqual(await states(cloud), ['pending']);
    clock.advance(1);
    const [running] = await cloud.driver.listInstances({ tags: {} }, live());
    assert.equal(running?.state, 'running');
    assert.equal(running?.publicAddress, simPublicAddress('hotel', 0));
    assert.equal(running?.launchedAt.getTime(), clock.now().getTime() - 5000);
  });

  it('capacity: failed and terminated instances hold none; the message names the site', async () => {
    const { cloud } = sim({ capacity: 2 });
    const a = await cloud.driver.launch(req('a'), live());
    await cloud.driver.launch(req('b'), live());
    await assert.rejects(
      cloud.driver.launch(req('c'), live()),
      (e) =>
        kind('capacity')(e) &&
        e instanceof CloudError &&
        e.providerMessage === 'InsufficientInstanceCapacity: There is no capacity left on site hotel',
    );
    assert.equal(cloud.state.liveCount(), 2);
    cloud.kill(a.id);
    await cloud.driver.launch(req('c'), live());
    assert.deepEqual(await states(cloud), ['terminated', 'running', 'running']);
  });

  it('launchFailureRate: a seeded share of launches become failed at boot, with a reason', async () => {
    const { cloud, clock } = sim({ launchFailureRate: 0.3, bootMs: 10 }, 42);
    for (let i = 0; i < 200; i++) await cloud.driver.launch(req(`t-${i}`), live());
    assert.deepEqual(new Set(await states(cloud)), new Set(['pending']));
    clock.advance(10);
    const listed = await cloud.driver.listInstances({ tags: {} }, live());
    const failed = listed.filter((i) => i.state === 'failed');
    assert.equal(failed.length + listed.filter((i) => i.state === 'running').length, 200);
    assert.ok(failed.length > 40 && failed.length < 80, `~30% failed, got ${failed.length}`);
    assert.equal(failed[0]?.stateReason, 'Server.InternalError: Internal error on launch');
    const again = sim({ launchFailureRate: 0.3, bootMs: 10 }, 42);
    for (let i = 0; i < 200; i++) await again.cloud.driver.launch(req(`t-${i}`), live());
    again.clock.advance(10);
    assert.deepEqual(
      await states(again.cloud),
      listed.map((i) => i.state),
      'same seed, same fates',
    );
  });

  it('deathRate: running instances die out of band per observation; rate 0 never kills', async () => {
    const { cloud } = sim({ deathRate: 0.5 }, 3);
    for (let i = 0; i < 20; i++) await cloud.driver.launch(req(`t-${i}`), live());
    for (let i = 0; i < 10; i++) await cloud.driver.listInstances({ tags: {} }, live());
    const after = await cloud.driver.listInstances({ tags: {} }, live());
    assert.equal(after.filter((i) => i.state === 'running').length, 0, 'all dead after ten 50% rounds (seeded)');
    assert.match(after[0]?.stateReason ?? '', /^Server\.InternalError/);
    const calm = sim({ deathRate: 0 }, 3);
    await calm.cloud.driver.launch(req('x'), live());
    for (let i = 0; i < 50; i++) await calm.cloud.driver.listInstances({ tags: {} }, live());
    assert.deepEqual(await states(calm.cloud), ['running']);
  });

  it('failCalls: the named call throws the named kind and changes nothing; others work', async () => {
    const { cloud } = sim({ failCalls: { launch: 'quota', terminate: 'throttled' } });
    await assert.rejects(cloud.driver.launch(req('t'), live()), kind('quota'));
    assert.deepEqual(await states(cloud), []);
    cloud.setKnobs({ failCalls: { terminate: 'throttled' } });
    const a = await cloud.driver.launch(req('t'), live());
    await assert.rejects(cloud.driver.terminate([a.id], live()), kind('throttled'));
    assert.deepEqual(await states(cloud), ['running']);
    cloud.setKnobs({ failCalls: { listInstances: 'auth' } });
    await assert.rejects(cloud.driver.listInstances({ tags: {} }, live()), kind('auth'));
  });

  it('loseLaunchResponseRate: lost responses created instances; retries with the same token create none', async () => {
    const { cloud } = sim({ loseLaunchResponseRate: 0.5 }, 11);
    let lost = 0;
    for (let i = 0; i < 40; i++) {
      for (;;) {
        try {
          await cloud.driver.launch(req(`t-${i}`), live());
          break;
        } catch (e) {
          assert.ok(kind('transient')(e));
          lost++;
        }
      }
    }
    assert.ok(lost > 10, `some responses were lost (${lost})`);
    assert.equal((await cloud.driver.listInstances({ tags: {} }, live())).length, 40, 'exactly one instance per token');
  });

  it('apiLatencyMs: every call waits through the injected sleep; an abort during it changes nothing', async () => {
    const waits: number[] = [];
    const clock = new FixedClock();
    const sleep: Sleep = async (ms, signal) => {
      waits.push(ms);
      clock.advance(ms);
      signal.throwIfAborted();
    };
    const cloud = openSimCloud({
      site: 'hotel',
      clock,
      random: seededRandom(1),
      knobs: { apiLatencyMs: 250, bootMs: 250 },
      sleep,
    });
    const start = clock.now().getTime();
    const a = await cloud.driver.launch(req('t'), live());
    assert.equal(a.launchedAt.getTime(), start + 250, 'the launch happens after the latency');
    assert.deepEqual(await states(cloud), ['running'], 'the list call’s own latency let it boot');
    assert.deepEqual(waits, [250, 250]);
    const controller = new AbortController();
    const abortingSleep: Sleep = async () => controller.abort(new Error('late'));
    const slow = openSimCloud({
      site: 'hotel',
      clock,
      random: seededRandom(1),
      knobs: { apiLatencyMs: 1 },
      sleep: abortingSleep,
    });
    await assert.rejects(slow.driver.launch(req('t'), controller.signal), /late/);
    assert.equal(slow.state.liveCount(), 0);
  });

  it('a reused client token with other parameters is refused (IdempotentParameterMismatch)', async () => {
    const { cloud } = sim({});
    await cloud.driver.launch(req('t'), live());
    await assert.rejects(
      cloud.driver.launch(req('t', { imageId: 'ami-2' }), live()),
      (e) =>
        kind('invalid')(e) && e instanceof CloudError && e.providerMessage.startsWith('IdempotentParameterMismatch'),
    );
    await assert.rejects(cloud.driver.launch(req('u', { userData: 'not base64!' }), live()), kind('invalid'));
    await assert.rejects(cloud.driver.launch(req('v', { tags: { 'aws:x': '1' } }), live()), kind('invalid'));
    assert.equal(cloud.state.liveCount(), 1);
  });

  it('terminated instances are listed for terminatedRetentionMs, then purged with their token', async () => {
    const { cloud, clock } = sim({ terminatedRetentionMs: 1000 });
    const a = await cloud.driver.launch(req('t'), live());
    await cloud.driver.terminate([a.id], live());
    clock.advance(999);
    assert.deepEqual(await states(cloud), ['terminated']);
    clock.advance(1);
    assert.deepEqual(await states(cloud), []);
    const b = await cloud.driver.launch(req('t'), live());
    assert.notEqual(b.id, a.id);
  });
});
