import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudDriver } from '../../contracts/cloud.ts';
import { HoldRecorder, type HoldTime } from './hold-recorder.ts';
import { Yielder, yieldingDriver } from './yielding.ts';

/** A fake clock whose markers run on the real next turn (so `Yielder.turn` is seen). */
function fakeClock() {
  let now = 0;
  const time: HoldTime = { now: () => now, afterTurn: (callback) => void setImmediate(callback) };
  return { time, advance: (ms: number) => void (now += ms) };
}

/** Whether the loop turned while `work` ran (an immediate set before it ran first). */
async function turnedDuring(work: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  setImmediate(() => (turned = true));
  await work();
  return turned;
}

describe('Yielder', () => {
  it('gives a turn only once the slice is longer than everyMs, and records the slice', async () => {
    const c = fakeClock();
    const yielder = new Yielder(5, new HoldRecorder(c.time));
    await new Promise((resolve) => setImmediate(resolve));
    const watch = yielder.holds.watch();
    c.advance(4);
    assert.equal(await turnedDuring(() => yielder.maybe()), false);
    c.advance(3);
    assert.equal(await turnedDuring(() => yielder.maybe()), true);
    c.advance(1);
    assert.equal(await turnedDuring(() => yielder.maybe()), false, 'a new slice began at the turn');
    assert.equal(watch.end(), 7);
  });

  it('does not yield again after a cloud call that let the loop turn, nor count the wait as a hold', async () => {
    const c = fakeClock();
    const yielder = new Yielder(5, new HoldRecorder(c.time));
    const slow = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      c.advance(1000); // the cloud answered a second later
      return [];
    };
    const driver = yieldingDriver(
      { site: 's', listInstances: slow, launch: async () => assert.fail(), terminate: async () => undefined },
      yielder,
    ) satisfies CloudDriver;
    const watch = yielder.holds.watch();
    c.advance(2);
    await driver.listInstances({ tags: {} }, new AbortController().signal);
    c.advance(1);
    assert.equal(await turnedDuring(() => yielder.maybe()), false);
    assert.equal(watch.end(), 2);
  });
});
