import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeySchedule, type Timers } from './key-schedule.ts';

/** Timers driven by hand: `advance(ms)` moves the clock and fires what is due. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      pending.set(++next, { at: now + ms, fn });
      return next;
    },
    clear: (handle) => pending.delete(handle as number),
  };
  return {
    timers,
    now: () => now,
    pending: () => pending.size,
    /** Fires every pending timer without moving the clock. */
    fire() {
      for (const [id, t] of [...pending]) {
        pending.delete(id);
        t.fn();
      }
    },
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending].sort((x, y) => x[1].at - y[1].at))
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
    },
  };
}

function schedule(maxKeys?: number) {
  const clock = manualTimers();
  const due: string[] = [];
  const keys = new KeySchedule({
    now: clock.now,
    onDue: (key) => due.push(key),
    timers: clock.timers,
    retryInitialMs: 1000,
    retryMaxMs: 300_000,
    maxKeys,
  });
  return { clock, due, keys };
}

describe('KeySchedule', () => {
  it('requeues a key after the delay it asked for, one timer per key, the earliest winning', () => {
    const { clock, due, keys } = schedule();
    keys.requeueAfter('k', 500);
    keys.requeueAfter('k', 900);
    keys.requeueAfter('k', 200);
    assert.equal(clock.pending(), 1);
    clock.advance(199);
    assert.deepEqual(due, []);
    clock.advance(1);
    assert.deepEqual(due, ['k']);
    clock.advance(1000);
    assert.deepEqual(due, ['k'], 'fired once');
  });

  it('bounds how many keys wait', () => {
    const { clock, keys } = schedule(2);
    for (const k of ['a', 'b', 'c']) keys.requeueAfter(k, 10);
    assert.equal(clock.pending(), 2);
  });

  it('backs a failing key off exponentially, 1 s doubling to 5 min, and a success resets it', () => {
    const { clock, due, keys } = schedule();
    const delays = Array.from({ length: 11 }, () => keys.failed('k').delayMs);
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000]);
    assert.equal(keys.backingOff('k'), true);
    assert.equal(clock.pending(), 1, 'one retry timer, the latest');
    clock.advance(299_999);
    assert.deepEqual(due, []);
    clock.advance(1);
    assert.deepEqual(due, ['k']);
    assert.equal(keys.backingOff('k'), false, 'due: runs again');
    keys.succeeded('k');
    assert.equal(keys.failed('k').delayMs, 1000);
  });

  it('a retry timer makes its key due even when the clock it reads lags the timer', () => {
    const { clock, due, keys } = schedule();
    keys.failed('k');
    clock.fire(); // the timer fires with the clock still at 0
    assert.deepEqual(due, ['k']);
    assert.equal(keys.backingOff('k'), false);
  });

  it('clear cancels every timer', () => {
    const { clock, due, keys } = schedule();
    keys.requeueAfter('a', 10);
    keys.failed('b');
    keys.clear();
    clock.advance(10_000);
    assert.deepEqual(due, []);
  });
});
