import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../contracts/errors.ts';
import { checkCapacity, decrementDesired, setDesired, updateCapacity } from './capacity.ts';

const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message);

describe('capacity rules', () => {
  it('checks min <= desired <= max', () => {
    assert.deepEqual(checkCapacity({ minSize: 1, maxSize: 3, desiredCapacity: 2 }), {
      minSize: 1,
      maxSize: 3,
      desiredCapacity: 2,
    });
    assert.throws(
      () => checkCapacity({ minSize: 4, maxSize: 3, desiredCapacity: 3 }),
      invalid(/Max bound, 3, must be greater than or equal to min bound, 4/),
    );
    assert.throws(
      () => checkCapacity({ minSize: 1, maxSize: 3, desiredCapacity: 4 }),
      invalid(/Desired capacity:4 must be between the specified min size:1 and max size:3/),
    );
  });
  it('update moves desired into new bounds unless desired is given', () => {
    const c = { minSize: 1, maxSize: 5, desiredCapacity: 3 };
    assert.equal(updateCapacity(c, { minSize: 4 }).desiredCapacity, 4);
    assert.equal(updateCapacity(c, { maxSize: 2 }).desiredCapacity, 2);
    assert.throws(() => updateCapacity(c, { maxSize: 2, desiredCapacity: 3 }), invalid(/Desired capacity:3/));
  });
  it('SetDesiredCapacity pins a Phantom domain and bounds a plain group', () => {
    assert.deepEqual(setDesired({ minSize: 3, maxSize: 3, desiredCapacity: 3 }, 2, true), {
      minSize: 2,
      maxSize: 2,
      desiredCapacity: 2,
    });
    assert.throws(
      () => setDesired({ minSize: 1, maxSize: 4, desiredCapacity: 2 }, 5, false),
      invalid(/New SetDesiredCapacity value 5 is above max value 4/),
    );
    assert.throws(
      () => setDesired({ minSize: 1, maxSize: 4, desiredCapacity: 2 }, 0, false),
      invalid(/below min value 1/),
    );
  });
  it('terminate with decrement', () => {
    assert.deepEqual(decrementDesired({ minSize: 3, maxSize: 3, desiredCapacity: 3 }, true), {
      minSize: 2,
      maxSize: 2,
      desiredCapacity: 2,
    });
    assert.equal(decrementDesired({ minSize: 0, maxSize: 3, desiredCapacity: 2 }, false).desiredCapacity, 1);
    assert.throws(
      () => decrementDesired({ minSize: 2, maxSize: 3, desiredCapacity: 2 }, false),
      invalid(/desiredSize equals minSize \(2\)/),
    );
  });
});
