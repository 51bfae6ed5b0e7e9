import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import type { AlarmState, TreatMissingData } from '../../domain/alarm.ts';
import { breaches, evaluateAlarm, type AlarmRule, type Datapoint } from './evaluate.ts';
import { evaluationRange } from './schedule.ts';

const NOW = Date.parse('2026-12-07T10:04:05Z');
const rule = (over: Partial<AlarmRule> = {}): AlarmRule => ({
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 70,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  ...over,
});

/** Datapoints from a pattern over the range, oldest first: X breaching (80), 0 not (50), - missing. */
function points(pattern: string, alarm: AlarmRule): { range: number[]; datapoints: Datapoint[] } {
  const range = evaluationRange(alarm, NOW);
  const marks = pattern.split(' ');
  assert.equal(marks.length, range.length, 'pattern must cover the evaluation range');
  const datapoints = marks.flatMap((mark, i) =>
    mark === '-' ? [] : [{ timestamp: range[i]!, value: mark === 'X' ? 80 : 50 }],
  );
  return { range, datapoints };
}

const run = (pattern: string, over: Partial<AlarmRule> = {}, current: AlarmState = 'OK') => {
  const alarm = rule(over);
  return evaluateAlarm({ alarm, ...points(pattern, alarm), current, now: NOW });
};

const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message);

describe('alarm evaluation: AWS missing-data table (3 of 3, range of 5, oldest first)', () => {
  const KEEP = 'keep';
  // Rows of the table in "Configuring how CloudWatch alarms treat missing data":
  // pattern, then the outcome under missing, ignore, breaching, notBreaching.
  const table: [string, ...(AlarmState | typeof KEEP)[]][] = [
    ['0 - X - X', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - 0', 'OK', 'OK', 'OK', 'OK'],
    ['- - - - -', 'INSUFFICIENT_DATA', KEEP, 'ALARM', 'OK'],
    ['0 X X - X', 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
    ['- - X - -', 'ALARM', KEEP, 'ALARM', 'OK'],
  ];
  const modes: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
  for (const [pattern, ...outcomes] of table) {
    modes.forEach((mode, i) => {
      for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
        const expected = outcomes[i] === KEEP ? current : outcomes[i];
        it(`${pattern} with ${mode} from ${current} → ${expected}`, () => {
          const result = run(pattern, { treatMissingData: mode }, current);
          assert.equal(result.state, expected);
          assert.equal(result.changed, expected !== current);
        });
      }
    });
  }
});

describe('alarm evaluation: M out of N', () => {
  const rows: [pattern: string, m: number, n: number, mode: TreatMissingData, expected: AlarmState][] = [
    ['0 0 X 0 X', 2, 3, 'missing', 'ALARM'], // 2 of the last 3 breach
    ['0 0 X 0 0', 2, 3, 'missing', 'OK'],
    ['X X 0 X 0', 1, 3, 'missing', 'ALARM'],
    ['0 0 0 0 0', 1, 3, 'missing', 'OK'],
    ['X X X 0 0 0 0', 3, 5, 'missing', 'OK'], // only one of the 3 breaches is among the last 5
    ['0 0 X X X 0 0', 3, 5, 'missing', 'ALARM'],
    ['- - - - - - X', 1, 5, 'missing', 'ALARM'],
    ['- - - - - - 0', 1, 5, 'breaching', 'ALARM'], // 4 filled breaching ≥ 1
    ['- - - - - - 0', 5, 5, 'breaching', 'OK'], // the real one is good: 4 < 5
    ['- - - - - X X', 3, 5, 'notBreaching', 'OK'],
    ['- - - X X X -', 3, 5, 'notBreaching', 'ALARM'],
    ['- - - - - X X', 3, 5, 'ignore', 'INSUFFICIENT_DATA'], // undecided: kept
    ['- - - - - 0 0', 4, 5, 'ignore', 'OK'], // 0 + 3 unknown < 4: OK whatever they are
    ['- - - - X', 1, 3, 'ignore', 'ALARM'],
    ['- - X', 1, 1, 'missing', 'ALARM'],
    ['X X 0', 1, 1, 'missing', 'OK'], // N = 1: only the newest counts
  ];
  for (const [pattern, m, n, mode, expected] of rows) {
    it(`${pattern}, ${m} of ${n}, ${mode} → ${expected}`, () => {
      const result = run(
        pattern,
        { datapointsToAlarm: m, evaluationPeriods: n, treatMissingData: mode },
        'INSUFFICIENT_DATA',
      );
      assert.equal(result.state, expected);
    });
  }
});

describe('alarm evaluation: missing and ignore with partial data', () => {
  // ALARM needs M breaching, OK needs N − M + 1 good; otherwise the state is kept, except that
  // `missing` alarms early when the oldest breach in the last N periods is ≥ M periods old and
  // nothing good came after it ("Avoiding premature transitions to alarm state").
  const KEEP = 'keep';
  const rows: [
    pattern: string,
    m: number,
    n: number,
    missing: AlarmState | typeof KEEP,
    ignore: AlarmState | typeof KEEP,
  ][] = [
    ['- - - - X', 3, 3, KEEP, KEEP], // a fresh breach, too young to alarm early
    ['- - - X -', 3, 3, KEEP, KEEP],
    ['- - X - -', 3, 3, 'ALARM', KEEP], // old enough: early ALARM
    ['- - - X -', 2, 3, 'ALARM', KEEP],
    ['- - X 0 -', 2, 3, KEEP, KEEP], // a good datapoint after the breach: no early ALARM
    ['- - X X -', 2, 3, 'ALARM', 'ALARM'], // M real breaches
    ['- - - X - - -', 3, 5, 'ALARM', KEEP],
    ['- - - - - X -', 3, 5, KEEP, KEEP],
    ['- - - 0 0 0 0', 2, 5, 'OK', 'OK'], // 4 good = N − M + 1
    ['- - - - 0 0 0', 2, 5, KEEP, KEEP], // 3 good < 4
    ['X - - - - 0 0', 2, 5, KEEP, KEEP], // the old breach is outside the last N periods
  ];
  for (const [pattern, m, n, missing, ignore] of rows) {
    for (const [mode, outcome] of [
      ['missing', missing],
      ['ignore', ignore],
    ] as const) {
      for (const current of ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const) {
        const expected = outcome === KEEP ? current : outcome;
        it(`${pattern}, ${m} of ${n}, ${mode}, from ${current} → ${expected}`, () => {
          const result = run(pattern, { datapointsToAlarm: m, evaluationPeriods: n, treatMissingData: mode }, current);
          assert.equal(result.state, expected);
          assert.equal(result.changed, expected !== current);
        });
      }
    }
  }
});

describe('alarm evaluation: thresholds and operators', () => {
  const rows: [AlarmRule['comparisonOperator'], number, boolean][] = [
    ['GreaterThanThreshold', 70, false],
    ['GreaterThanThreshold', 70.0001, true],
    ['GreaterThanOrEqualToThreshold', 70, true],
    ['GreaterThanOrEqualToThreshold', 69.999, false],
    ['LessThanThreshold', 70, false],
    ['LessThanThreshold', 69.999, true],
    ['LessThanOrEqualToThreshold', 70, true],
    ['LessThanOrEqualToThreshold', 70.001, false],
  ];
  for (const [operator, value, expected] of rows) {
    it(`${value} ${operator} 70 → ${expected}`, () => assert.equal(breaches(operator, value, 70), expected));
  }
  it('a value exactly at the threshold does not breach GreaterThanThreshold', () => {
    const alarm = rule({ evaluationPeriods: 1, datapointsToAlarm: 1 });
    const range = evaluationRange(alarm, NOW);
    const result = evaluateAlarm({
      alarm,
      range,
      datapoints: [{ timestamp: range[2]!, value: 70 }],
      current: 'ALARM',
      now: NOW,
    });
    assert.equal(result.state, 'OK');
  });
});

describe('alarm evaluation: reasons', () => {
  it('words an OK → ALARM transition as CloudWatch does, newest datapoint first', () => {
    const alarm = rule({ statistic: 'Average' });
    const range = evaluationRange(alarm, NOW);
    const values = [72, 71.5, 73];
    const datapoints = values.map((value, i) => ({ timestamp: range[2 + i]!, value }));
    const result = evaluateAlarm({ alarm, range, datapoints, current: 'OK', now: NOW });
    assert.equal(result.state, 'ALARM');
    assert.equal(
      result.reason,
      'Threshold Crossed: 3 out of the last 3 datapoints [73.0 (07/12/26 10:03:00), 71.5 (07/12/26 10:02:00), ' +
        '72.0 (07/12/26 10:01:00)] were greater than the threshold (70.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
    assert.deepEqual(result.reasonData, {
      version: '1.0',
      queryDate: '2026-12-07T10:04:05.000+0000',
      startDate: '2026-12-07T10:01:00.000+0000',
      statistic: 'Average',
      period: 60,
      recentDatapoints: [72, 71.5, 73],
      threshold: 70,
      evaluatedDatapoints: [
        { timestamp: '2026-12-07T10:03:00.000+0000', value: 73 },
        { timestamp: '2026-12-07T10:02:00.000+0000', value: 71.5 },
        { timestamp: '2026-12-07T10:01:00.000+0000', value: 72 },
      ],
    });
  });
  it('words ALARM → OK with the good datapoints and the minimum N − M + 1', () => {
    const result = run('X X X X 0', {}, 'ALARM');
    assert.equal(result.state, 'OK');
    assert.equal(
      result.reason,
      'Threshold Crossed: 1 out of the last 3 datapoints [50.0 (07/12/26 10:03:00)] was not greater than the threshold (70.0) (minimum 1 datapoint for ALARM -> OK transition).',
    );
  });
  it('words a single-period alarm without the M of N clause', () => {
    const result = run('0 0 X', {
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    assert.equal(
      result.reason,
      'Threshold Crossed: 1 datapoint [80.0 (07/12/26 10:03:00)] was greater than or equal to the threshold (70.0).',
    );
  });
  it('words all-missing data per TreatMissingData', () => {
    assert.equal(run('- - - - -').reason, 'Insufficient Data: 3 datapoints were unknown.');
    assert.equal(
      run('- - - - -', { treatMissingData: 'breaching' }).reason,
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [Breaching].',
    );
    assert.equal(
      run('- - - - -', { treatMissingData: 'notBreaching' }, 'ALARM').reason,
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    );
    assert.deepEqual(run('- - - - -').reasonData.evaluatedDatapoints, []);
  });
  it('says how many missing datapoints were filled in', () => {
    const result = run('- - - - X', { treatMissingData: 'breaching' });
    assert.match(
      result.reason,
      /^Threshold Crossed: 3 out of the last 3 datapoints \[80\.0 \(07\/12\/26 10:03:00\)\] were greater/,
    );
    assert.match(result.reason, / 2 missing datapoints were treated as \[Breaching\]\.$/);
  });
});

describe('alarm evaluation: refusals', () => {
  const range = evaluationRange(rule(), NOW);
  const cases: [string, () => unknown, RegExp][] = [
    [
      'NaN datapoint',
      () =>
        evaluateAlarm({
          alarm: rule(),
          range,
          datapoints: [{ timestamp: range[4]!, value: NaN }],
          current: 'OK',
          now: NOW,
        }),
      /not a finite number/,
    ],
    [
      'Infinity datapoint',
      () =>
        evaluateAlarm({
          alarm: rule(),
          range,
          datapoints: [{ timestamp: range[4]!, value: Infinity }],
          current: 'OK',
          now: NOW,
        }),
      /not a finite number/,
    ],
    [
      'two datapoints in a period',
      () =>
        evaluateAlarm({
          alarm: rule(),
          range,
          datapoints: [
            { timestamp: range[4]!, value: 1 },
            { timestamp: range[4]!, value: 2 },
          ],
          current: 'OK',
          now: NOW,
        }),
      /Two datapoints/,
    ],
    [
      'M > N',
      () => evaluateAlarm({ alarm: rule({ datapointsToAlarm: 4 }), range, datapoints: [], current: 'OK', now: NOW }),
      /DatapointsToAlarm must be from 1 to 3/,
    ],
    [
      'N = 0',
      () => evaluateAlarm({ alarm: rule({ evaluationPeriods: 0 }), range, datapoints: [], current: 'OK', now: NOW }),
      /EvaluationPeriods/,
    ],
    [
      'NaN threshold',
      () => evaluateAlarm({ alarm: rule({ threshold: NaN }), range, datapoints: [], current: 'OK', now: NOW }),
      /Threshold/,
    ],
    ['NaN now', () => evaluateAlarm({ alarm: rule(), range, datapoints: [], current: 'OK', now: NaN }), /now/],
  ];
  for (const [name, call, pattern] of cases) it(`refuses ${name}`, () => assert.throws(call, invalid(pattern)));
  it('ignores datapoints outside the range (the open period, or too old)', () => {
    const open = range[4]! + 60_000;
    const result = evaluateAlarm({
      alarm: rule(),
      range,
      datapoints: [{ timestamp: open, value: NaN }],
      current: 'OK',
      now: NOW,
    });
    assert.equal(result.state, 'INSUFFICIENT_DATA');
  });
});
