import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StepAdjustment } from '../contracts/scaling-policy.ts';
import { adjustedCapacity, roundPercentChange, selectStep, stepAdjustmentsProblem } from './policy-math.ts';

/** A step from [lower, upper, adjustment]; null is an absent bound. */
const step = (lower: number | null, upper: number | null, scalingAdjustment: number): StepAdjustment => ({
  ...(lower === null ? {} : { metricIntervalLowerBound: lower }),
  ...(upper === null ? {} : { metricIntervalUpperBound: upper }),
  scalingAdjustment,
});

describe('stepAdjustmentsProblem', () => {
  const valid: Array<[string, StepAdjustment[]]> = [
    ['one open-ended step above', [step(0, null, 1)]],
    ['one open-ended step below', [step(null, 0, -1)]],
    ['AWS example out', [step(0, 10, 1), step(10, 20, 2), step(20, null, 3)]],
    ['both directions, unsorted', [step(10, null, 2), step(null, -10, -2), step(-10, 10, 0)]],
    ['a bounded step above only', [step(0, 10, 1), step(10, null, 2)]],
    ['fractional bounds', [step(null, 0.5, 1), step(0.5, null, 2)]],
    [
      'twenty steps',
      [step(null, 1, 0), ...Array.from({ length: 18 }, (_, i) => step(i + 1, i + 2, i)), step(19, null, 9)],
    ],
  ];
  for (const [name, steps] of valid)
    it(`accepts ${name}`, () => assert.equal(stepAdjustmentsProblem(steps), undefined));

  const refused: Array<[string, StepAdjustment[], RegExp]> = [
    ['no steps', [], /at least one/],
    [
      '21 steps',
      [step(null, 1, 0), ...Array.from({ length: 19 }, (_, i) => step(i + 1, i + 2, i)), step(20, null, 9)],
      /at most 20 step adjustments; got 21/,
    ],
    ['both bounds null', [step(null, null, 1)], /cannot both be null/],
    ['upper equal to lower', [step(5, 5, 1), step(5, null, 2)], /must be greater than MetricIntervalLowerBound \(5\)/],
    ['upper below lower', [step(10, 0, 1)], /must be greater than/],
    [
      'two null lower bounds',
      [step(null, 0, 1), step(null, 5, 1)],
      /at most one step adjustment may have a null MetricIntervalLowerBound/i,
    ],
    ['two null upper bounds', [step(0, null, 1), step(5, null, 1)], /null MetricIntervalUpperBound/],
    ['negative lower without a null lower', [step(-10, 0, -1)], /null MetricIntervalLowerBound is required/],
    ['positive upper without a null upper', [step(0, 10, 1)], /null MetricIntervalUpperBound is required/],
    ['overlap', [step(0, 10, 1), step(5, null, 2)], /overlap.*ending at 10.*starting at 5/],
    ['gap', [step(0, 10, 1), step(20, null, 2)], /gap.*from 10 to 20/],
    ['gap around the threshold', [step(null, -5, -1), step(5, null, 1)], /gap.*from -5 to 5/],
    ['an open step that is not last', [step(0, null, 1), step(10, 20, 2), step(null, 0, -1)], /overlap/],
  ];
  for (const [name, steps, message] of refused)
    it(`refuses ${name}`, () => assert.match(stepAdjustmentsProblem(steps) ?? '(accepted)', message));
});

describe('selectStep', () => {
  const steps = [step(null, -10, -2), step(-10, 0, -1), step(0, 10, 1), step(10, null, 3)];
  const rows: Array<[string, number, number, number | undefined]> = [
    ['AWS example: 59 against 50 is in [0,10)', 59, 50, 1],
    ['exactly at the threshold: lower inclusive above', 50, 50, 1],
    ['at an upper bound above the threshold: exclusive', 60, 50, 3],
    ['far above', 1e9, 50, 3],
    ['just below the threshold: upper inclusive below', 49.999, 50, -1],
    ['at a bound below the threshold: upper inclusive', 40, 50, -2],
    ['just above that bound below', 40.5, 50, -1],
    ['far below', -1e9, 50, -2],
    ['NaN matches nothing', NaN, 50, undefined],
    ['a distance that overflows to +Infinity takes the open upper step', 1.7e308, -1.7e308, 3],
    ['a distance that overflows to −Infinity takes the open lower step', -1.7e308, 1.7e308, -2],
  ];
  for (const [name, metric, threshold, expected] of rows)
    it(name, () => assert.equal(selectStep(steps, metric, threshold)?.scalingAdjustment, expected));

  it('finds nothing when no step covers the distance', () => {
    assert.equal(selectStep([step(0, null, 1)], 40, 50), undefined);
    assert.equal(selectStep([step(null, 0, -1)], 60, 50), undefined);
    assert.equal(selectStep([step(null, 0, -1)], 50, 50), undefined, 'upper bound 0 is exclusive at the threshold');
  });
});

describe('roundPercentChange', () => {
  const rows: Array<[number, number]> = [
    [12.7, 12],
    [1, 1],
    [1.4, 1],
    [0.3, 1],
    [0, 0],
    [-0.3, -1],
    [-1, -1],
    [-6.67, -6],
    [-1.4, -1],
  ];
  for (const [raw, rounded] of rows) it(`${raw} → ${rounded}`, () => assert.equal(roundPercentChange(raw), rounded));
});

describe('adjustedCapacity', () => {
  const group = (desiredCapacity: number, minSize = 0, maxSize = 100) => ({ desiredCapacity, minSize, maxSize });
  const rows: Array<[string, ReturnType<typeof group>, Parameters<typeof adjustedCapacity>[1], number]> = [
    [
      'worked example: 10 +10% → 11',
      group(10),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 10 },
      11,
    ],
    [
      'worked example: 11 +30% → 14',
      group(11),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 30 },
      14,
    ],
    [
      'worked example: 14 −10% → 13',
      group(14),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: -10 },
      13,
    ],
    ['+5% of 3 is at least 1', group(3), { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 5 }, 4],
    ['−5% of 3 is at least −1', group(3), { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: -5 }, 2],
    [
      '−67% of 3 (−2.01) rounds toward zero',
      group(3),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: -67 },
      1,
    ],
    [
      'MinAdjustmentMagnitude raises a small increase',
      group(10),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 10, minAdjustmentMagnitude: 3 },
      13,
    ],
    [
      'MinAdjustmentMagnitude raises a small decrease',
      group(10),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: -10, minAdjustmentMagnitude: 3 },
      7,
    ],
    [
      'MinAdjustmentMagnitude from an empty group',
      group(0),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 50, minAdjustmentMagnitude: 2 },
      2,
    ],
    [
      'MinAdjustmentMagnitude leaves a larger change',
      group(100, 0, 1000),
      { adjustmentType: 'PercentChangeInCapacity', scalingAdjustment: 50, minAdjustmentMagnitude: 2 },
      150,
    ],
    ['ChangeInCapacity adds', group(2), { adjustmentType: 'ChangeInCapacity', scalingAdjustment: 2 }, 4],
    ['ChangeInCapacity subtracts', group(5), { adjustmentType: 'ChangeInCapacity', scalingAdjustment: -2 }, 3],
    ['ExactCapacity sets', group(5), { adjustmentType: 'ExactCapacity', scalingAdjustment: 7 }, 7],
    ['clamped to MaxSize', group(5, 1, 6), { adjustmentType: 'ChangeInCapacity', scalingAdjustment: 10 }, 6],
    ['clamped to MinSize', group(5, 2, 6), { adjustmentType: 'ChangeInCapacity', scalingAdjustment: -10 }, 2],
    ['ExactCapacity clamped to MaxSize', group(5, 1, 6), { adjustmentType: 'ExactCapacity', scalingAdjustment: 60 }, 6],
    ['zero change', group(5), { adjustmentType: 'ChangeInCapacity', scalingAdjustment: 0 }, 5],
  ];
  for (const [name, g, adjustment, expected] of rows)
    it(name, () => assert.equal(adjustedCapacity(g, adjustment), expected));
});
