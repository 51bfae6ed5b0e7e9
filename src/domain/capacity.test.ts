import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../contracts/errors.ts';
import { capsTotal, checkCapacity, checkWithinCaps, decrementDesired, setDesired, updateCapacity } from './capacity.ts';
import type { Placement } from './placement.ts';

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
  it("caps total: a domain's finite caps add up; an unlimited site or a plain group is unbounded", () => {
    const domain = (...max: number[]): Placement => ({
      kind: 'phantom',
      sites: max.map((m, i) => ({ site: `s${i}`, max: m })),
    });
    const table: Array<[Placement, number]> = [
      [domain(1), 1],
      [domain(1, 2), 3],
      [domain(0, 0), 0],
      [domain(1, -1), Infinity],
      [{ kind: 'aws', sites: [] }, Infinity],
      [{ kind: 'aws', sites: [{ site: 'hotel', max: -1 }] }, Infinity],
    ];
    for (const [placement, total] of table) assert.equal(capsTotal(placement), total, JSON.stringify(placement));
  });
  it('refuses a desired capacity above the caps total, naming the numbers', () => {
    const placement: Placement = {
      kind: 'phantom',
      sites: [
        { site: 'hotel', max: 1 },
        { site: 'sierra', max: 2 },
      ],
    };
    checkWithinCaps({ minSize: 3, maxSize: 3, desiredCapacity: 3 }, placement);
    assert.throws(
      () => checkWithinCaps({ minSize: 0, maxSize: 9, desiredCapacity: 4 }, placement),
      invalid(/^DesiredCapacity 4 exceeds the domain's total cap of 3 \(hotel:1,sierra:2\)\.$/),
    );
    checkWithinCaps({ minSize: 0, maxSize: 10_000, desiredCapacity: 10_000 }, { kind: 'aws', sites: [] });
  });
});
