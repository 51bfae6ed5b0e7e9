import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import {
  effectiveWarmupSeconds,
  isWarming,
  simpleScalingGate,
  stepScalingBase,
  stepScalingOutcome,
  warmingCount,
  type SimpleGateInput,
  type StepOutcomeInput,
  type WarmupSettings,
} from './gates.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const isValidation = (e: unknown) => e instanceof PhantomError && e.code === 'Validation';

describe('gates: effective warm-up', () => {
  const rows: [string, WarmupSettings, number][] = [
    [
      'policy EstimatedInstanceWarmup wins',
      { policyWarmup: 120, groupDefaultInstanceWarmup: 60, groupDefaultCooldown: 300 },
      120,
    ],
    [
      'policy warm-up 0 is a real value',
      { policyWarmup: 0, groupDefaultInstanceWarmup: 60, groupDefaultCooldown: 300 },
      0,
    ],
    ['then the group DefaultInstanceWarmup', { groupDefaultInstanceWarmup: 60, groupDefaultCooldown: 300 }, 60],
    ['DefaultInstanceWarmup -1 means unset', { groupDefaultInstanceWarmup: -1, groupDefaultCooldown: 300 }, 300],
    ['then the group DefaultCooldown', { groupDefaultCooldown: 300 }, 300],
    ['DefaultCooldown 0', { groupDefaultCooldown: 0 }, 0],
  ];
  for (const [name, settings, expected] of rows)
    it(name, () => assert.equal(effectiveWarmupSeconds(settings), expected));
  const refusals: [string, WarmupSettings][] = [
    ['NaN policy warm-up', { policyWarmup: NaN, groupDefaultCooldown: 300 }],
    ['Infinity group warm-up', { groupDefaultInstanceWarmup: Infinity, groupDefaultCooldown: 300 }],
    ['-2 group warm-up', { groupDefaultInstanceWarmup: -2, groupDefaultCooldown: 300 }],
    ['fractional cooldown', { groupDefaultCooldown: 1.5 }],
    ['negative policy warm-up', { policyWarmup: -1, groupDefaultCooldown: 300 }],
  ];
  for (const [name, settings] of refusals)
    it(`refuses ${name}`, () => assert.throws(() => effectiveWarmupSeconds(settings), isValidation));
});

describe('gates: which instances are warming', () => {
  const rows: [string, { pending: boolean; inServiceSince?: number }, number, boolean][] = [
    ['pending', { pending: true }, T0, true],
    ['InService with no time recorded', { pending: false }, T0, true],
    ['InService 299.999 s of 300', { pending: false, inServiceSince: T0 }, T0 + 299_999, true],
    ['InService exactly 300 s', { pending: false, inServiceSince: T0 }, T0 + 300_000, false],
    ['InService long ago', { pending: false, inServiceSince: T0 - 86_400_000 }, T0, false],
  ];
  for (const [name, instance, now, expected] of rows)
    it(name, () => assert.equal(isWarming(instance, 300, now), expected));
  it('warm-up 0: only pending instances warm', () => {
    assert.equal(isWarming({ pending: false, inServiceSince: T0 }, 0, T0), false);
    assert.equal(
      warmingCount(
        [{ pending: true }, { pending: false, inServiceSince: T0 }, { pending: false, inServiceSince: T0 - 1 }],
        0,
        T0,
      ),
      1,
    );
  });
  it('counts the warming ones', () => {
    const instances = [
      { pending: true },
      { pending: false, inServiceSince: T0 },
      { pending: false, inServiceSince: T0 - 600_000 },
    ];
    assert.equal(warmingCount(instances, 300, T0 + 1000), 2);
    assert.equal(warmingCount([], 300, T0), 0);
  });
  it('refuses non-finite instants', () => {
    assert.throws(() => isWarming({ pending: false, inServiceSince: NaN }, 300, T0), isValidation);
    assert.throws(() => isWarming({ pending: false, inServiceSince: T0 }, 300, Infinity), isValidation);
  });
});

describe('gates: simple scaling cooldown', () => {
  const gate = (over: Partial<SimpleGateInput>) =>
    simpleScalingGate({ now: T0, activityInProgress: false, groupDefaultCooldown: 300, ...over });
  const rows: [string, Partial<SimpleGateInput>, boolean, number | undefined][] = [
    ['no activity ever', {}, true, undefined],
    ['activity in progress', { lastActivityEndedAt: T0 - 3_600_000, activityInProgress: true }, false, undefined],
    ['group cooldown running', { lastActivityEndedAt: T0 - 299_999 }, false, T0 + 1],
    ['group cooldown just over', { lastActivityEndedAt: T0 - 300_000 }, true, T0],
    ['policy Cooldown overrides the group', { lastActivityEndedAt: T0 - 60_000, policyCooldown: 60 }, true, T0],
    [
      'policy Cooldown longer than the group',
      { lastActivityEndedAt: T0 - 400_000, policyCooldown: 600 },
      false,
      T0 + 200_000,
    ],
    ['policy Cooldown 0 opens at once', { lastActivityEndedAt: T0, policyCooldown: 0 }, true, T0],
    ['activity ended in the future (clock skew) is cooling', { lastActivityEndedAt: T0 + 1000 }, false, T0 + 301_000],
  ];
  for (const [name, over, open, opensAt] of rows) {
    it(name, () => {
      const verdict = gate(over);
      assert.equal(verdict.open, open, verdict.reason);
      assert.equal(verdict.opensAt, opensAt);
    });
  }
  const refusals: [string, Partial<SimpleGateInput>][] = [
    ['NaN now', { now: NaN }],
    ['NaN last activity', { lastActivityEndedAt: NaN }],
    ['negative cooldown', { policyCooldown: -1 }],
    ['Infinity DefaultCooldown', { groupDefaultCooldown: Infinity }],
  ];
  for (const [name, over] of refusals) it(`refuses ${name}`, () => assert.throws(() => gate(over), isValidation));
});

describe('gates: step scaling with warming instances', () => {
  const outcome = (over: Partial<StepOutcomeInput>) =>
    stepScalingOutcome({ currentCapacity: 10, warmingInstances: 0, proposed: 10, minSize: 0, maxSize: 100, ...over });
  // AWS's example: capacity 10; a +1 step launches 1 (11, warming). A second breach in the same
  // step proposes 10 + 1 = 11 again: no second activity. A larger step (+3 of the base 10) adds 2.
  const rows: [string, Partial<StepOutcomeInput>, string, number][] = [
    ['first breach: +1 of 10', { proposed: 11 }, 'out', 11],
    [
      'same step while warming: one activity only',
      { currentCapacity: 11, warmingInstances: 1, proposed: 11 },
      'none',
      11,
    ],
    [
      'larger step while warming adds the difference',
      { currentCapacity: 11, warmingInstances: 1, proposed: 13 },
      'out',
      13,
    ],
    ['scale-in blocked while warming', { currentCapacity: 11, warmingInstances: 1, proposed: 9 }, 'none', 11],
    ['scale-in when nothing warms', { proposed: 9 }, 'in', 9],
    ['scale-in clamps to MinSize', { proposed: 2, minSize: 5 }, 'in', 5],
    ['scale-out clamps to MaxSize', { proposed: 20, maxSize: 12 }, 'out', 12],
    ['at MaxSize', { proposed: 20, maxSize: 10 }, 'none', 10],
    ['min = max', { proposed: 20, minSize: 10, maxSize: 10 }, 'none', 10],
    ['zero capacity scales out', { currentCapacity: 0, proposed: 1 }, 'out', 1],
    ['zero capacity cannot scale in', { currentCapacity: 0, proposed: -1 }, 'none', 0],
    [
      'a lowered MaxSize is not the policy’s to enforce',
      { currentCapacity: 12, proposed: 13, maxSize: 10 },
      'none',
      12,
    ],
  ];
  for (const [name, over, direction, desired] of rows) {
    it(name, () => {
      const result = outcome(over);
      assert.deepEqual([result.direction, result.desired], [direction, desired], result.reason);
    });
  }
  it('the base leaves warming instances out', () => {
    assert.equal(stepScalingBase(11, 1), 10);
    assert.equal(stepScalingBase(0, 0), 0);
  });
  const refusals: [string, () => unknown][] = [
    ['more warming than capacity', () => stepScalingBase(1, 2)],
    ['negative capacity', () => stepScalingBase(-1, 0)],
    ['fractional proposal', () => outcome({ proposed: 10.5 })],
    ['NaN proposal', () => outcome({ proposed: NaN })],
    ['min > max', () => outcome({ minSize: 5, maxSize: 4 })],
  ];
  for (const [name, call] of refusals) it(`refuses ${name}`, () => assert.throws(call, isValidation));
});
