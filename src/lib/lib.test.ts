import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupBy } from './group-by.ts';
import { isRecord } from './is-record.ts';
import { cryptoRandom, seededRandom } from './random.ts';
import { SerialRounds } from './serial-rounds.ts';
import { realSleep } from './sleep.ts';

describe('groupBy', () => {
  it('keeps item order within a group and first-seen key order', () => {
    const grouped = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]!);
    assert.deepEqual(
      [...grouped],
      [
        ['b', ['b1', 'b2']],
        ['a', ['a1', 'a2']],
        ['c', ['c1']],
      ],
    );
  });
});

describe('isRecord', () => {
  it('accepts plain objects only', () => {
    assert.equal(isRecord({ a: 1 }), true);
    assert.equal(isRecord(null), false);
    assert.equal(isRecord([1]), false);
    assert.equal(isRecord('x'), false);
  });
});

describe('random sources', () => {
  it('seededRandom repeats per seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 100 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 100 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)));
  });
  it('cryptoRandom stays in [0, 1)', () => {
    for (let i = 0; i < 100; i++) {
      const x = cryptoRandom();
      assert.ok(x >= 0 && x < 1);
    }
  });
});

describe('realSleep', () => {
  it('resolves after the delay', async () => {
    await realSleep(1, new AbortController().signal);
  });
  it('rejects with the reason when already aborted or aborted while waiting', async () => {
    const reason = new Error('stop');
    await assert.rejects(realSleep(1, AbortSignal.abort(reason)), (e) => e === reason);
    const controller = new AbortController();
    const waiting = realSleep(60_000, controller.signal);
    controller.abort(reason);
    await assert.rejects(waiting, (e) => e === reason);
  });
});

describe('SerialRounds', () => {
  it('never overlaps rounds; next() starts a fresh round after a running one; tick() skips while one runs', async () => {
    let active = 0;
    let started = 0;
    let release: (() => void) | undefined;
    const rounds = new SerialRounds(async () => {
      active++;
      started++;
      assert.equal(active, 1, 'no overlap');
      await new Promise<void>((resolve) => (release = resolve));
      active--;
      return started;
    });
    rounds.tick(() => assert.fail('no error expected'));
    rounds.tick(() => assert.fail('no error expected'));
    assert.equal(started, 1, 'a tick while a round runs does nothing');
    const fresh = rounds.next();
    release!();
    await new Promise((r) => setImmediate(r));
    assert.equal(started, 2, 'next() ran a new round after the first');
    release!();
    assert.equal(await fresh, 2);
    await rounds.idle();
  });
});
