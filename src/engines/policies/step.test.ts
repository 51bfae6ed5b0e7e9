import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import type { StepAdjustment } from '../../domain/scaling-policy.ts';
import { adjustedCapacity, aggregateDatapoints, roundPercentChange, selectStep, type Adjustment } from './step.ts';

const isValidation = (e: unknown) => e instanceof PhantomError && e.code === 'Validation';

describe('step scaling: selecting the step', () => {
  // AWS's example: threshold 50; +1 in [50, 60), +2 in [60, 70), +3 at 70 and above.
  const up: StepAdjustment[] = [
    { metricIntervalLowerBound: 0, metricIntervalUpperBound: 10, scalingAdjustment: 1 },
    { metricIntervalLowerBound: 10, metricIntervalUpperBound: 20, scalingAdjustment: 2 },
    { metricIntervalLowerBound: 20, scalingAdjustment: 3 },
  ];
  // And below a threshold of 50: −1 in (40, 50], −2 at 40 and below.
  const down: StepAdjustment[] = [
    { metricIntervalLowerBound: -10, metricIntervalUpperBound: 0, scalingAdjustment: -1 },
    { metricIntervalUpperBound: -10, scalingAdjustment: -2 },
  ];
  const rows: [string, StepAdjustment[], number, number | undefined][] = [
    ['exactly at the threshold: lower bound inclusive', up, 50, 1],
    ['just under the next bound', up, 59.999, 1],
    ['exactly on an inner bound goes up a step', up, 60, 2],
    ['far above: the open upper step', up, 1e9, 3],
    ['below the threshold, no down steps', up, 49, undefined],
    ['exactly at the threshold: not a below-threshold step', down, 50, undefined],
    ['just below the threshold', down, 49.5, -1],
    ['exactly on the inner bound below: upper inclusive', down, 40, -2],
    ['far below: the open lower step', down, -1e9, -2],
  ];
  for (const [name, steps, metric, expected] of rows) {
    it(`${name} (${metric})`, () => assert.equal(selectStep(steps, metric, 50)?.scalingAdjustment, expected));
  }
  it('no steps, no match', () => assert.equal(selectStep([], 70, 50), undefined));
  it('refuses non-finite metric or threshold', () => {
    assert.throws(() => selectStep(up, NaN, 50), isValidation);
    assert.throws(() => selectStep(up, 60, Infinity), isValidation);
  });
});

describe('step scaling: aggregating the recent datapoints', () => {
  const values = [40, 70, 55];
  it('Average', () => assert.equal(aggregateDatapoints(values, 'Average'), 55));
  it('Minimum', () => assert.equal(aggregateDatapoints(values, 'Minimum'), 40));
  it('Maximum', () => assert.equal(aggregateDatapoints(values, 'Maximum'), 70));
  it('refuses none or a non-finite one', () => {
    assert.throws(() => aggregateDatapoints([], 'Average'), isValidation);
    assert.throws(() => aggregateDatapoints([1, NaN], 'Maximum'), isValidation);
  });
});

describe('step scaling: adjustments', () => {
  const rows: [number, number][] = [
    [12.7, 12],
    [1.5, 1],
    [1, 1],
    [0.3, 1],
    [0, 0],
    [-0.3, -1],
    [-1, -1],
    [-1.4, -1],
    [-6.67, -6],
  ];
  for (const [change, expected] of rows)
    it(`percent change ${change} → ${expected}`, () => assert.equal(roundPercentChange(change), expected));

  const pct = (n: number, minAdjustmentMagnitude?: number): Adjustment => ({
    adjustmentType: 'PercentChangeInCapacity',
    scalingAdjustment: n,
    ...(minAdjustmentMagnitude !== undefined ? { minAdjustmentMagnitude } : {}),
  });
  it("AWS's worked example: 10 +10 % → 11, +30 % → 14, −10 % → 13", () => {
    const a = adjustedCapacity(10, pct(10));
    const b = adjustedCapacity(a, pct(30));
    const c = adjustedCapacity(b, pct(-10));
    assert.deepEqual([a, b, c], [11, 14, 13]);
  });
  const capacity: [string, number, Adjustment, number][] = [
    ['ChangeInCapacity +2', 3, { adjustmentType: 'ChangeInCapacity', scalingAdjustment: 2 }, 5],
    ['ChangeInCapacity below zero stops at 0', 1, { adjustmentType: 'ChangeInCapacity', scalingAdjustment: -3 }, 0],
    ['ExactCapacity', 3, { adjustmentType: 'ExactCapacity', scalingAdjustment: 7 }, 7],
    ['ExactCapacity 0 from 0', 0, { adjustmentType: 'ExactCapacity', scalingAdjustment: 0 }, 0],
    ['percent of an empty group adds nothing', 0, pct(50), 0],
    ['MinAdjustmentMagnitude raises a small percent', 10, pct(10, 3), 13],
    ['MinAdjustmentMagnitude on a decrease', 10, pct(-10, 3), 7],
    ['MinAdjustmentMagnitude below the change does nothing', 10, pct(50, 2), 15],
    ['percent decrease below zero stops at 0', 2, pct(-300), 0],
  ];
  for (const [name, base, adjustment, expected] of capacity)
    it(name, () => assert.equal(adjustedCapacity(base, adjustment), expected));
  const refusals: [string, () => unknown][] = [
    ['a fractional base', () => adjustedCapacity(1.5, pct(10))],
    ['a negative base', () => adjustedCapacity(-1, pct(10))],
    [
      'a fractional adjustment',
      () => adjustedCapacity(1, { adjustmentType: 'ChangeInCapacity', scalingAdjustment: 0.5 }),
    ],
    ['a NaN adjustment', () => adjustedCapacity(1, { adjustmentType: 'ExactCapacity', scalingAdjustment: NaN })],
    ['a negative MinAdjustmentMagnitude', () => adjustedCapacity(1, pct(10, -1))],
  ];
  for (const [name, call] of refusals) it(`refuses ${name}`, () => assert.throws(call, isValidation));
});
