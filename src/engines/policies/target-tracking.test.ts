import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import {
  averageExcludingWarming,
  combineTargetTracking,
  proportionalCapacity,
  targetTrackingDecision,
  type PolicyVote,
  type ScalingDirection,
  type TargetTrackingInput,
} from './target-tracking.ts';

const input = (over: Partial<TargetTrackingInput>): TargetTrackingInput => ({
  metricValue: 50,
  targetValue: 50,
  currentCapacity: 4,
  warmingInstances: 0,
  disableScaleIn: false,
  minSize: 0,
  maxSize: 100,
  ...over,
});

type Row = [source: string, over: Partial<TargetTrackingInput>, direction: ScalingDirection, desired: number];

function table(rows: readonly Row[]): void {
  for (const [source, over, direction, desired] of rows) {
    it(`${source} → ${direction} ${desired}`, () => {
      const decision = targetTrackingDecision(input(over));
      assert.equal(decision.direction, direction, decision.reason);
      assert.equal(decision.desired, desired, decision.reason);
    });
  }
}

// Kubernetes HPA, pkg/controller/podautoscaler/replica_calculator_test.go: the pod count, average
// metric and target of each named case. HPA ignores ratios within its 0.1 tolerance and rounds
// every result up; AWS has no tolerance, rounds removal down and scales in only below AlarmLow's
// 0.7 × target, so some rows expect a different number (HPA's in the comment).
describe('target tracking: rows ported from Kubernetes HPA', () => {
  table([
    [
      'HPA ScaleUpCM (3 pods, 20000 vs 15000)',
      { currentCapacity: 3, metricValue: 20000, targetValue: 15000 },
      'out',
      4,
    ],
    ['HPA ScaleUpCMExternal (1, 8600 vs 4400)', { currentCapacity: 1, metricValue: 8600, targetValue: 4400 }, 'out', 2],
    [
      'HPA ScaleUpPerPodCMExternal (3, 8600/3 vs 2150)',
      { currentCapacity: 3, metricValue: 8600 / 3, targetValue: 2150 },
      'out',
      4,
    ],
    [
      'HPA SuperfluousMetrics (4, 587.5 vs 100)',
      { currentCapacity: 4, metricValue: 587.5, targetValue: 100 },
      'out',
      24,
    ],
    // HPA 3: 2.8 rounds down when removing.
    ['HPA ScaleDown (5, 28 % vs 50 %)', { currentCapacity: 5, metricValue: 28, targetValue: 50 }, 'in', 2],
    ['HPA ScaleDownCM (5, 12000 vs 20000)', { currentCapacity: 5, metricValue: 12000, targetValue: 20000 }, 'in', 3],
    [
      'HPA ScaleDownPerPodCMObject (5, 1200 vs 2000)',
      { currentCapacity: 5, metricValue: 1200, targetValue: 2000 },
      'in',
      3,
    ],
    // HPA 3: 2.9999 rounds down when removing.
    [
      'HPA ScaleDownCMExternal (5, 8600 vs 14334)',
      { currentCapacity: 5, metricValue: 8600, targetValue: 14334 },
      'in',
      2,
    ],
    // HPA 3 (within tolerance); AWS adds for any excess: ceil(3.06).
    ['HPA Tolerance (3, 102 % vs 100 %)', { currentCapacity: 3, metricValue: 102, targetValue: 100 }, 'out', 4],
    [
      'HPA ToleranceCM (3, 62000/3 vs 20000)',
      { currentCapacity: 3, metricValue: 62000 / 3, targetValue: 20000 },
      'out',
      4,
    ],
    // HPA 3 by tolerance; here 0.97 × target is above AlarmLow's 0.7 × target: no change either.
    [
      'HPA ToleranceCMExternal (3, 8600 vs 8888)',
      { currentCapacity: 3, metricValue: 8600, targetValue: 8888 },
      'none',
      3,
    ],
    // HPA 2; AWS blocks every scale-in while an instance warms up.
    [
      'HPA ScaleDownIgnoreHotCpuPods (5, 2 warming, 30 % vs 50 %)',
      { currentCapacity: 5, warmingInstances: 2, metricValue: 30, targetValue: 50 },
      'none',
      5,
    ],
  ]);
  it('HPA ScaleUpCMUnreadyHotCpuNoLessScale (3 pods, 1 warming; 50000, 10000 ready) → out 6', () => {
    const metricValue = averageExcludingWarming([
      { value: 50000, warming: false },
      { value: 10000, warming: false },
      { value: 30000, warming: true },
    ]);
    const d = targetTrackingDecision(
      input({ currentCapacity: 3, warmingInstances: 1, metricValue, targetValue: 15000 }),
    );
    assert.deepEqual([d.direction, d.desired], ['out', 6]);
  });
  it('HPA ScaleUpCMUnreadyHotCpuScaleWouldScaleDown: warming instances left out of the average → none (HPA 7)', () => {
    const metricValue = averageExcludingWarming([
      { value: 50000, warming: true },
      { value: 15000, warming: false },
      { value: 30000, warming: true },
    ]);
    const d = targetTrackingDecision(
      input({ currentCapacity: 3, warmingInstances: 2, metricValue, targetValue: 15000 }),
    );
    assert.deepEqual([d.direction, d.desired], ['none', 3]);
  });
});

// Nomad Autoscaler, plugins/builtin/strategy/target-value/plugin/plugin_test.go (TestStrategyPlugin_Run
// and TestStrategyPlugin_calculateDirection): metric, target and count. Nomad skips factors within
// its threshold (default 0.01) and clamps steps with max_scale_up/down; AWS does neither (MinSize
// and MaxSize stand in for the step limits).
describe('target tracking: rows ported from Nomad target-value', () => {
  table([
    ['Nomad "factor equals 1" (13 vs 13, 2)', { metricValue: 13, targetValue: 13, currentCapacity: 2 }, 'none', 2],
    ['Nomad "factor greater than 1" (26 vs 13, 2)', { metricValue: 26, targetValue: 13, currentCapacity: 2 }, 'out', 4],
    ['Nomad "scale from 0" (20 vs 10, 0)', { metricValue: 20, targetValue: 10, currentCapacity: 0 }, 'out', 2],
    // Nomad 1 (it scales up from zero for any factor); AWS scales out only above the target.
    [
      'Nomad "scale from 0 … build queue" (1 vs 10, 0)',
      { metricValue: 1, targetValue: 10, currentCapacity: 0 },
      'none',
      0,
    ],
    [
      'Nomad "small target/metric difference" (9 vs 10, 1)',
      { metricValue: 9, targetValue: 10, currentCapacity: 1 },
      'none',
      1,
    ],
    // Nomad none (within 0.01); AWS adds for any excess.
    [
      'Nomad "factor change is small" (5.00001 vs 5, 8)',
      { metricValue: 5.00001, targetValue: 5, currentCapacity: 8 },
      'out',
      9,
    ],
    [
      'Nomad "scale up on small changes if threshold is small"',
      { metricValue: 5.00001, targetValue: 5, currentCapacity: 8 },
      'out',
      9,
    ],
    [
      'Nomad "properly handle multiple input" (latest 16 vs 16, 2)',
      { metricValue: 16, targetValue: 16, currentCapacity: 2 },
      'none',
      2,
    ],
    // Nomad 3 via max_scale_up 2; here MaxSize 3 bounds ceil(4.2) = 5.
    [
      'Nomad "limited to max_scale_up" (210 vs 50, 1, MaxSize 3)',
      { metricValue: 210, targetValue: 50, currentCapacity: 1, maxSize: 3 },
      'out',
      3,
    ],
    [
      'Nomad "limited to max_scale_up" without a bound',
      { metricValue: 210, targetValue: 50, currentCapacity: 1 },
      'out',
      5,
    ],
    // Nomad 4 via max_scale_down 1; here MinSize 4 bounds floor(0.238) = 0.
    [
      'Nomad "limited to max_scale_down" (10 vs 210, 5, MinSize 4)',
      { metricValue: 10, targetValue: 210, currentCapacity: 5, minSize: 4 },
      'in',
      4,
    ],
    ['Nomad direction (5, factor 1)', { metricValue: 1, targetValue: 1, currentCapacity: 5 }, 'none', 5],
    ['Nomad direction (4, factor 0.5)', { metricValue: 0.5, targetValue: 1, currentCapacity: 4 }, 'in', 2],
    ['Nomad direction (5, factor 2)', { metricValue: 2, targetValue: 1, currentCapacity: 5 }, 'out', 10],
    [
      'Nomad direction (5, factor 1.0001; Nomad none)',
      { metricValue: 1.0001, targetValue: 1, currentCapacity: 5 },
      'out',
      6,
    ],
    ['Nomad direction (5, factor 1.02)', { metricValue: 1.02, targetValue: 1, currentCapacity: 5 }, 'out', 6],
    ['Nomad direction (5, factor 0.99)', { metricValue: 0.99, targetValue: 1, currentCapacity: 5 }, 'none', 5],
    // Nomad down; 0.98 is above AlarmLow's 0.7 × target.
    ['Nomad direction (5, factor 0.98)', { metricValue: 0.98, targetValue: 1, currentCapacity: 5 }, 'none', 5],
  ]);
  it('Nomad "scale to 0 with 0 target": a target of 0 is refused here', () => {
    assert.throws(
      () => targetTrackingDecision(input({ metricValue: 0, targetValue: 0, currentCapacity: 5 })),
      /TargetValue/,
    );
  });
});

describe('target tracking: edges', () => {
  table([
    ['no metric data', { metricValue: undefined }, 'none', 4],
    ['zero capacity, no data', { metricValue: undefined, currentCapacity: 0 }, 'none', 0],
    ['zero capacity, metric below target', { metricValue: 1, currentCapacity: 0 }, 'none', 0],
    ['zero capacity, metric 0', { metricValue: 0, currentCapacity: 0 }, 'none', 0],
    ['metric exactly at the target', { metricValue: 50 }, 'none', 4],
    ['metric just above the target', { metricValue: 50.0000001 }, 'out', 5],
    ['metric exactly at AlarmLow (0.7 × target)', { metricValue: 35 }, 'none', 4],
    ['metric just below AlarmLow', { metricValue: 34.999 }, 'in', 2],
    ['metric 0 scales in to MinSize', { metricValue: 0, minSize: 1 }, 'in', 1],
    ['metric 0 with MinSize 0 empties the group', { metricValue: 0 }, 'in', 0],
    ['negative metric (custom) clamps at MinSize', { metricValue: -10, minSize: 2 }, 'in', 2],
    ['min = max: nothing moves up', { metricValue: 100, minSize: 4, maxSize: 4 }, 'none', 4],
    ['min = max: nothing moves down', { metricValue: 1, minSize: 4, maxSize: 4 }, 'none', 4],
    ['at MaxSize', { metricValue: 100, maxSize: 4 }, 'none', 4],
    ['above MaxSize (max lowered) never scales out', { metricValue: 100, currentCapacity: 6, maxSize: 4 }, 'none', 6],
    [
      'below MinSize, scale-out goes at least to MinSize',
      { metricValue: 51, currentCapacity: 1, minSize: 3 },
      'out',
      3,
    ],
    ['below MinSize, scale-in is a no-op', { metricValue: 1, currentCapacity: 1, minSize: 3 }, 'none', 1],
    ['DisableScaleIn', { metricValue: 1, disableScaleIn: true }, 'none', 4],
    ['DisableScaleIn still scales out', { metricValue: 100, disableScaleIn: true }, 'out', 8],
    ['warming instances block scale-in', { metricValue: 1, warmingInstances: 1 }, 'none', 4],
    ['warming instances count toward capacity on scale-out', { metricValue: 75, warmingInstances: 2 }, 'out', 6],
    [
      'exact ratio does not round up from float noise (5 × 0.6)',
      { metricValue: 0.6, targetValue: 1, currentCapacity: 5 },
      'in',
      3,
    ],
    ['AlarmHigh trigger never scales in', { metricValue: 1, trigger: 'AlarmHigh' }, 'none', 4],
    ['AlarmLow trigger never scales out', { metricValue: 100, trigger: 'AlarmLow' }, 'none', 4],
    ['AlarmLow trigger scales in', { metricValue: 10, trigger: 'AlarmLow' }, 'in', 0],
  ]);
  const refusals: [string, Partial<TargetTrackingInput>, RegExp][] = [
    ['NaN metric', { metricValue: NaN }, /metric value/],
    ['Infinity metric', { metricValue: Infinity }, /metric value/],
    ['-Infinity metric', { metricValue: -Infinity }, /metric value/],
    ['NaN target', { targetValue: NaN }, /TargetValue/],
    ['Infinity target', { targetValue: Infinity }, /TargetValue/],
    ['negative target', { targetValue: -1 }, /TargetValue/],
    ['fractional capacity', { currentCapacity: 1.5 }, /currentCapacity/],
    ['negative capacity', { currentCapacity: -1 }, /currentCapacity/],
    ['more warming than capacity', { warmingInstances: 5 }, /exceeds currentCapacity/],
    ['min > max', { minSize: 5, maxSize: 4 }, /MinSize \(5\) exceeds MaxSize \(4\)/],
    ['NaN MaxSize', { maxSize: NaN }, /MaxSize/],
  ];
  for (const [name, over, pattern] of refusals) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => targetTrackingDecision(input(over)),
        (e) => e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message),
      ));
  }
  it('proportionalCapacity snaps float noise only', () => {
    assert.equal(proportionalCapacity(5, 0.6, 1), 3);
    assert.equal(proportionalCapacity(3, 102, 100), 3.06);
  });
  it('averageExcludingWarming skips warming and silent instances; undefined when none is left', () => {
    assert.equal(
      averageExcludingWarming([
        { value: 10, warming: false },
        { value: undefined, warming: false },
        { value: 90, warming: true },
      ]),
      10,
    );
    assert.equal(averageExcludingWarming([{ value: 90, warming: true }]), undefined);
    assert.equal(averageExcludingWarming([]), undefined);
    assert.throws(() => averageExcludingWarming([{ value: NaN, warming: false }]), PhantomError);
  });
});

describe('target tracking: several policies on one group', () => {
  const vote = (direction: ScalingDirection, desired: number, scaleInEnabled = true): PolicyVote => ({
    decision: { direction, desired, reason: `${direction} ${desired}` },
    scaleInEnabled,
  });
  const rows: [string, PolicyVote[], ScalingDirection, number, number | undefined][] = [
    ['any out wins, the largest', [vote('in', 2), vote('out', 6), vote('out', 8)], 'out', 8, 2],
    ['out beats none', [vote('none', 4), vote('out', 5)], 'out', 5, 1],
    ['in only when all say in: the largest (least removal)', [vote('in', 2), vote('in', 3)], 'in', 3, 1],
    ['one none blocks scale-in', [vote('in', 2), vote('none', 4)], 'none', 4, undefined],
    ['a no-data policy (none) blocks scale-in', [vote('in', 2), vote('none', 4)], 'none', 4, undefined],
    ['DisableScaleIn policies do not vote on scale-in', [vote('in', 2), vote('none', 4, false)], 'in', 2, 0],
    ['no policy may scale in', [vote('none', 4, false)], 'none', 4, undefined],
    ['no policies at all', [], 'none', 4, undefined],
  ];
  for (const [name, votes, direction, desired, index] of rows) {
    it(name, () => {
      const result = combineTargetTracking(4, votes);
      assert.deepEqual([result.direction, result.desired, result.index], [direction, desired, index]);
    });
  }
});
