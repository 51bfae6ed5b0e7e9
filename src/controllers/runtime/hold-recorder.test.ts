import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HoldRecorder, type HoldTime } from './hold-recorder.ts';

/** A fake time source: `advance` moves the clock, `turn` runs the markers as a loop turn would. */
function fakeTime() {
  let now = 1000;
  let pending: Array<() => void> = [];
  const time: HoldTime = { now: () => now, afterTurn: (callback) => void pending.push(callback) };
  return {
    time,
    advance: (ms: number) => void (now += ms),
    turn: () => {
      const due = pending;
      pending = [];
      for (const callback of due) callback();
    },
    markers: () => pending.length,
  };
}

describe('HoldRecorder', () => {
  it('keeps the longest slice between two turns given on purpose', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    const watch = holds.watch();
    t.advance(3);
    holds.checkpoint();
    t.advance(4); // one slice of 7 ms
    holds.checkpoint();
    t.turn();
    holds.turned();
    t.advance(2);
    holds.checkpoint();
    assert.equal(watch.longestMs, 7);
    t.advance(9); // a slice of 11 ms, still running when the watch ends
    assert.equal(watch.end(), 11);
    t.advance(50);
    holds.checkpoint();
    assert.equal(watch.longestMs, 11, 'an ended watch sees nothing more');
  });

  it('does not count time spent awaiting I/O: a slice ends when the loop turned, a new one starts at the next checkpoint', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    const watch = holds.watch();
    t.advance(2); // 2 ms of work, then an await on a cloud call
    t.turn(); // the loop turns at once…
    t.advance(500); // …and is idle for 500 ms until the call answers
    holds.checkpoint(); // resumed: the 2 ms slice ended at the turn
    t.advance(3);
    assert.equal(watch.end(), 3);
  });

  it('starts a new slice at a watch opened after the loop turned (an idle controller holds nothing)', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    t.turn();
    t.advance(60_000);
    const watch = holds.watch();
    t.advance(1);
    assert.equal(watch.end(), 1);
  });

  it('counts a slice into every watch open during it (a batch nested in a pass)', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    const pass = holds.watch();
    t.advance(1);
    const batch = holds.watch();
    t.advance(5);
    assert.equal(batch.end(), 6, 'the slice began before the batch');
    holds.turned();
    t.turn();
    t.advance(2);
    assert.equal(pass.end(), 6);
  });

  it('ends a slice where the code gave the turn on purpose, not where the loop got round to the marker', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    const watch = holds.watch();
    t.advance(4);
    holds.yielding();
    t.advance(30); // the loop serves API requests before its check phase runs the marker
    t.turn();
    holds.turned();
    t.advance(1);
    assert.equal(watch.end(), 4);
  });

  it('arms at most one marker at a time, however often it is asked', () => {
    const t = fakeTime();
    const holds = new HoldRecorder(t.time);
    for (let i = 0; i < 100; i++) {
      t.advance(0.1);
      holds.checkpoint();
      assert.ok(holds.sliceMs() >= 0);
    }
    assert.equal(t.markers(), 1);
    t.turn();
    holds.checkpoint();
    assert.equal(t.markers(), 1, 'one more for the new slice');
  });
});
