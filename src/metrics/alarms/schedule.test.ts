import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import {
  ACTION_REPEAT_MS,
  actionsDue,
  evaluationDue,
  evaluationRange,
  latestClosedPeriodStart,
  nextEvaluationAt,
} from './schedule.ts';

const at = (iso: string): number => Date.parse(iso);
const minute = { period: 60, evaluationPeriods: 3 };

describe('alarm schedule: which periods are due', () => {
  const rows: [string, { period: number; evaluationPeriods: number }, string, string][] = [
    // [name, alarm, now, latest closed period start]
    ['mid-minute', minute, '2026-12-07T10:04:05Z', '2026-12-07T10:03:00Z'],
    ['exactly on the boundary: the period just closed counts', minute, '2026-12-07T10:04:00Z', '2026-12-07T10:03:00Z'],
    ['1 ms before the boundary: that period is still open', minute, '2026-12-07T10:03:59.999Z', '2026-12-07T10:02:00Z'],
    ['10 s period', { period: 10, evaluationPeriods: 1 }, '2026-12-07T10:04:05Z', '2026-12-07T10:03:50Z'],
    ['5 min period', { period: 300, evaluationPeriods: 1 }, '2026-12-07T10:04:05Z', '2026-12-07T09:55:00Z'],
  ];
  for (const [name, alarm, now, expected] of rows) {
    it(name, () => assert.equal(latestClosedPeriodStart(alarm, at(now)), at(expected)));
  }
  it('the evaluation range is N + 2 closed periods, oldest first', () => {
    assert.deepEqual(
      evaluationRange(minute, at('2026-12-07T10:04:05Z')).map((t) => new Date(t).toISOString()),
      ['09:59', '10:00', '10:01', '10:02', '10:03'].map((hm) => `2026-12-07T${hm}:00.000Z`),
    );
  });
  it('an evaluation is due once per closed period', () => {
    const last = at('2026-12-07T10:03:00Z');
    assert.equal(evaluationDue(minute, undefined, at('2026-12-07T10:04:05Z')), true);
    assert.equal(evaluationDue(minute, last, at('2026-12-07T10:04:59Z')), false);
    assert.equal(evaluationDue(minute, last, at('2026-12-07T10:05:00Z')), true);
    assert.equal(nextEvaluationAt(minute, at('2026-12-07T10:04:05Z')), at('2026-12-07T10:05:00Z'));
    assert.equal(nextEvaluationAt(minute, at('2026-12-07T10:05:00Z')), at('2026-12-07T10:06:00Z'));
  });
  const refusals: [string, () => unknown][] = [
    ['NaN now', () => evaluationRange(minute, NaN)],
    ['Infinity now', () => latestClosedPeriodStart(minute, Infinity)],
    ['zero period', () => evaluationRange({ period: 0, evaluationPeriods: 1 }, 0)],
    ['fractional period', () => evaluationRange({ period: 1.5, evaluationPeriods: 1 }, 0)],
    ['no evaluation periods', () => evaluationRange({ period: 60, evaluationPeriods: 0 }, 0)],
    ['NaN last evaluation', () => evaluationDue(minute, NaN, 0)],
  ];
  for (const [name, call] of refusals) {
    it(`refuses ${name}`, () => assert.throws(call, (e) => e instanceof PhantomError && e.code === 'Validation'));
  }
});

describe('alarm schedule: Auto Scaling actions repeat every minute in the state', () => {
  const since = at('2026-12-07T10:00:00Z');
  const rows: [string, number | undefined, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA', number, string | undefined][] = [
    ['on entering ALARM', undefined, 'ALARM', since, 'alarmActions'],
    ['invoked before this state began', since - 1, 'ALARM', since + 1, 'alarmActions'],
    ['59.999 s after the last call', since, 'ALARM', since + ACTION_REPEAT_MS - 1, undefined],
    ['60 s after the last call', since, 'ALARM', since + ACTION_REPEAT_MS, 'alarmActions'],
    ['10 min into ALARM, last call 61 s ago', since + 539_000, 'ALARM', since + 600_000, 'alarmActions'],
    ['OK runs OKActions', undefined, 'OK', since, 'okActions'],
    ['OK repeats too', since, 'OK', since + 60_000, 'okActions'],
    ['INSUFFICIENT_DATA runs its list', undefined, 'INSUFFICIENT_DATA', since, 'insufficientDataActions'],
    ['a clock behind the state change', undefined, 'ALARM', since - 1, undefined],
  ];
  for (const [name, last, state, now, expected] of rows) {
    it(name, () => assert.equal(actionsDue(last, state, since, now), expected));
  }
  it('refuses non-finite instants', () => {
    assert.throws(() => actionsDue(undefined, 'ALARM', NaN, since), PhantomError);
    assert.throws(() => actionsDue(Infinity, 'ALARM', since, since), PhantomError);
    assert.throws(() => actionsDue(undefined, 'ALARM', since, NaN), PhantomError);
  });
});
