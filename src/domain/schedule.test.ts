import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPhantomError } from '../contracts/errors.ts';
import {
  checkRecurrence,
  checkScheduledSizes,
  checkTimeZone,
  firstRunTime,
  nextOccurrence,
  runAfter,
} from './schedule.ts';

const d = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();
const refused = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => isPhantomError(e) && e.code === 'Validation' && pattern.test(e.message));

const NOW = d('2025-01-01T00:00:00Z');

describe('time zones', () => {
  it('accepts canonical IANA names, Etc/GMT+9 (which Intl.supportedValuesOf does not list) and UTC', () => {
    for (const zone of ['UTC', 'Etc/GMT+9', 'Etc/GMT-14', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata'])
      assert.equal(checkTimeZone(zone), zone);
  });
  it('refuses unknown zones, offsets and junk', () => {
    for (const zone of ['Mars/Olympus', 'Nowhere', '+09:00', 'UTC+9', '', ' UTC', '../etc/passwd', 'America/New York'])
      refused(() => checkTimeZone(zone), /not a valid IANA time zone/);
  });
  it('Etc/GMT+9 is nine hours behind UTC (POSIX sign)', () => {
    assert.equal(iso(nextOccurrence('0 9 * * *', 'Etc/GMT+9', NOW)), '2025-01-01T18:00:00.000Z');
  });
});

describe('recurrence syntax', () => {
  const ok = ['* * * * *', '0 9 * * 1-5', '*/15 0-6 1,15 JAN-MAR mon', '30 0 1 1,6,12 *', '0 12 29 2 *', '5 4 * * 7'];
  for (const expr of ok) it(`accepts ${expr}`, () => checkRecurrence(expr, 'UTC', NOW));

  const bad: Array<[string, RegExp]> = [
    ['0 0 31 2 *', /Invalid explicit day of month|never runs/],
    ['0 0 30 2 *', /Invalid explicit day of month|never runs/],
    ['0 0 * * * *', /must have 5 fields/],
    ['0 0 *', /must have 5 fields/],
    ['', /must have 5 fields/],
    ['@daily', /must have 5 fields/],
    ['61 * * * *', /expected range|not valid/],
    ['0 24 * * *', /expected range|not valid/],
    ['H 0 * * *', /Minute 'H' is not valid/],
    ['0 0 L * *', /Day_of_Month 'L' is not valid/],
    ['0 0 * * 1#2', /Day_of_Week '1#2' is not valid/],
    ['0 0 ? * 1', /Day_of_Month '\?' is not valid/],
    ['*/0 * * * *', /cannot repeat|not valid/],
    ['0 0 1 FOO *', /Invalid|not valid/],
    ['0;rm * * * *', /not valid/],
  ];
  for (const [expr, message] of bad)
    it(`refuses '${expr}'`, () => refused(() => checkRecurrence(expr, 'UTC', NOW), message));

  it('reads day of month and day of week with OR semantics, as cron does', () => {
    const runs: string[] = [];
    let at = NOW;
    for (let i = 0; i < 4; i++) runs.push(iso((at = nextOccurrence('0 12 15 * 5', 'UTC', at)!))!);
    assert.deepEqual(runs, [
      '2025-01-03T12:00:00.000Z',
      '2025-01-10T12:00:00.000Z',
      '2025-01-15T12:00:00.000Z',
      '2025-01-17T12:00:00.000Z',
    ]);
  });
});

describe('DST rule (America/New_York, 2025)', () => {
  it('spring forward: 02:30 does not exist on 9 March, so it runs once at 03:30 EDT (07:30Z), then 02:30 EDT again', () => {
    const first = nextOccurrence('30 2 * * *', 'America/New_York', d('2025-03-08T07:30:00Z'));
    assert.equal(iso(first), '2025-03-09T07:30:00.000Z');
    assert.equal(iso(nextOccurrence('30 2 * * *', 'America/New_York', first!)), '2025-03-10T06:30:00.000Z');
  });
  it('fall back: 01:30 happens twice on 2 November; it runs once, at the first (EDT, 05:30Z)', () => {
    const first = nextOccurrence('30 1 * * *', 'America/New_York', d('2025-11-01T12:00:00Z'));
    assert.equal(iso(first), '2025-11-02T05:30:00.000Z');
    assert.equal(iso(nextOccurrence('30 1 * * *', 'America/New_York', first!)), '2025-11-03T06:30:00.000Z');
  });
  it('an every-hour recurrence runs every real hour across fall back (both 01:00s)', () => {
    const runs: string[] = [];
    let at = d('2025-11-02T03:30:00Z');
    for (let i = 0; i < 4; i++) runs.push(iso((at = nextOccurrence('0 * * * *', 'America/New_York', at)!))!);
    assert.deepEqual(runs, [
      '2025-11-02T04:00:00.000Z',
      '2025-11-02T05:00:00.000Z',
      '2025-11-02T06:00:00.000Z',
      '2025-11-02T07:00:00.000Z',
    ]);
  });
  it('Europe/Berlin 09:00 on weekdays moves from 08:00Z to 07:00Z after the EU switch', () => {
    assert.equal(
      iso(nextOccurrence('0 9 * * 1-5', 'Europe/Berlin', d('2025-03-28T12:00:00Z'))),
      '2025-03-31T07:00:00.000Z',
    );
    assert.equal(
      iso(nextOccurrence('0 9 * * 1-5', 'Europe/Berlin', d('2025-03-27T12:00:00Z'))),
      '2025-03-28T08:00:00.000Z',
    );
  });
});

describe('first run', () => {
  it('a one-off runs at its StartTime; without one it is refused', () => {
    assert.equal(iso(firstRunTime({ startTime: d('2025-01-02T00:00:00Z') }, NOW)), '2025-01-02T00:00:00.000Z');
    refused(() => firstRunTime({}, NOW), /needs a StartTime or a Recurrence/);
  });
  it('a recurring action runs first at a future StartTime, otherwise at its next run (the AWS example)', () => {
    const start = d('2025-01-01T10:17:00Z');
    assert.equal(iso(firstRunTime({ recurrence: '0 0 * * *', startTime: start }, NOW)), start.toISOString());
    assert.equal(
      iso(firstRunTime({ recurrence: '30 0 1 1,6,12 *' }, d('2020-11-01T00:00:00Z'))),
      '2020-12-01T00:30:00.000Z',
    );
  });
  it('refuses EndTime before StartTime, an EndTime in the past, and a recurrence that ends before it runs', () => {
    refused(
      () => firstRunTime({ startTime: d('2025-02-01T00:00:00Z'), endTime: d('2025-01-15T00:00:00Z') }, NOW),
      /EndTime must be after the StartTime/,
    );
    refused(() => firstRunTime({ recurrence: '* * * * *', endTime: d('2024-12-31T00:00:00Z') }, NOW), /in the past/);
    refused(
      () => firstRunTime({ recurrence: '0 0 1 6 *', endTime: d('2025-03-01T00:00:00Z') }, NOW),
      /does not run between/,
    );
  });
  it('refuses an unknown zone and a recurrence that never runs', () => {
    refused(() => firstRunTime({ recurrence: '0 9 * * *', timeZone: 'Moon/Base' }, NOW), /IANA/);
    refused(() => firstRunTime({ recurrence: '0 0 31 2 *' }, NOW), /Recurrence/);
  });
});

describe('the run after a run', () => {
  it('a one-off has none', () => {
    assert.equal(runAfter({ startTime: NOW }, NOW, NOW), undefined);
  });
  it('a recurring action moves to its next run, or ends after its EndTime', () => {
    const times = { recurrence: '0 9 * * *', endTime: d('2025-01-03T00:00:00Z') };
    assert.equal(
      iso(runAfter(times, d('2025-01-01T09:00:00Z'), d('2025-01-01T09:00:05Z'))),
      '2025-01-02T09:00:00.000Z',
    );
    assert.equal(runAfter(times, d('2025-01-02T09:00:00Z'), d('2025-01-02T09:00:05Z')), undefined);
  });
  it('runs missed while the scheduler was stopped are skipped, not caught up', () => {
    const next = runAfter({ recurrence: '*/5 * * * *' }, d('2025-01-01T00:00:00Z'), d('2025-01-20T10:02:00Z'));
    assert.equal(iso(next), '2025-01-20T10:05:00.000Z');
  });
  it('a StartTime run off the recurrence goes on with the recurrence', () => {
    const times = { recurrence: '0 0 * * *', startTime: d('2025-01-01T10:17:00Z') };
    assert.equal(iso(runAfter(times, times.startTime, d('2025-01-01T10:17:01Z'))), '2025-01-02T00:00:00.000Z');
  });
});

describe('sizes', () => {
  it('needs at least one, consistent among themselves', () => {
    checkScheduledSizes({ desiredCapacity: 3 });
    checkScheduledSizes({ minSize: 1, maxSize: 5, desiredCapacity: 3 });
    refused(() => checkScheduledSizes({}), /At least one of MinSize, MaxSize or DesiredCapacity/);
    refused(() => checkScheduledSizes({ minSize: 5, maxSize: 1 }), /Max bound, 1/);
    refused(() => checkScheduledSizes({ minSize: 2, desiredCapacity: 1 }), /greater than or equal to min size/);
    refused(() => checkScheduledSizes({ maxSize: 2, desiredCapacity: 3 }), /less than or equal to max size/);
  });
});
