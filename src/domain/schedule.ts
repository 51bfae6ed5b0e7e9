import { CronExpressionParser } from 'cron-parser';
import { PhantomError } from '../contracts/errors.ts';

/**
 * The time rules of scheduled actions: 5-field cron recurrences in an IANA time zone, start and
 * end times, and when an action runs next. Pure (the current instant is always a parameter).
 *
 * DST rule (pinned by schedule.test.ts), as cron-parser evaluates a wall-clock recurrence:
 * - spring forward: a time inside the skipped hour runs shifted by the gap, once
 *   (`30 2 * * *` America/New_York runs at 03:30 EDT on the day 02:30 does not exist);
 * - fall back: a time inside the repeated hour runs once, at its first occurrence
 *   (`30 1 * * *` runs at 01:30 EDT, not again at 01:30 EST); a recurrence whose hour field is
 *   `*` runs every real hour, both 01:00s included.
 */

const invalid = (message: string) => new PhantomError('Validation', message);

/** The zone a recurrence is evaluated in when none is given (AWS's default). */
export const DEFAULT_TIME_ZONE = 'UTC';

/** A missed recurring run is skipped over at most this many times before jumping straight past now. */
const MAX_SKIPPED_RUNS = 1000;

/**
 * Checks an IANA time zone name (e.g. `America/New_York`, `Etc/GMT+9`, `UTC`) against the
 * runtime's ICU data. Offsets (`+09:00`) and abbreviations the ICU data does not know are refused.
 * @throws PhantomError Validation.
 */
export function checkTimeZone(timeZone: string): string {
  const bad = invalid(`Invalid value for TimeZone: ${timeZone} is not a valid IANA time zone name (e.g. Etc/GMT+9).`);
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) throw bad;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw bad;
  }
  return timeZone;
}

const NUMBER = '\\d{1,2}';
const NAME = '[A-Za-z]{3}';
const fieldPattern = (value: string) => {
  const item = `(?:\\*|${value}(?:-${value})?)(?:/\\d{1,2})?`;
  return new RegExp(`^${item}(?:,${item})*$`);
};
/** Minute, hour and day of month take numbers; month and day of week also three-letter names. */
const FIELD_PATTERNS = [NUMBER, NUMBER, NUMBER, `(?:${NUMBER}|${NAME})`, `(?:${NUMBER}|${NAME})`].map(fieldPattern);
const FIELD_NAMES = ['Minute', 'Hour', 'Day_of_Month', 'Month_of_Year', 'Day_of_Week'];

/**
 * Checks that `recurrence` is a 5-field Unix cron expression (`[Minute] [Hour] [Day_of_Month]
 * [Month_of_Year] [Day_of_Week]`: numbers, `*`, lists, ranges, steps, month and weekday names;
 * no seconds, no `@daily`, `L`, `W`, `#`, `?` or `H`) that runs at least once from `now` on.
 * @throws PhantomError Validation naming the problem.
 */
export function checkRecurrence(recurrence: string, timeZone: string, now: Date): void {
  const fields = recurrence.trim().split(/\s+/);
  if (fields.length !== 5)
    throw invalid(
      `Invalid value for Recurrence: '${recurrence}' must have 5 fields ([Minute] [Hour] [Day_of_Month] [Month_of_Year] [Day_of_Week]), not ${fields.length}.`,
    );
  fields.forEach((field, i) => {
    if (!FIELD_PATTERNS[i]!.test(field))
      throw invalid(`Invalid value for Recurrence: '${recurrence}': field ${FIELD_NAMES[i]} '${field}' is not valid.`);
  });
  if (nextOccurrence(recurrence, timeZone, now) === undefined)
    throw invalid(`Invalid value for Recurrence: '${recurrence}' never runs.`);
}

/**
 * The first run of `recurrence` (already checked) strictly after `after`, in `timeZone`;
 * undefined when it never runs again.
 * @throws PhantomError Validation when the expression does not parse (e.g. `0 0 31 2 *`).
 */
export function nextOccurrence(recurrence: string, timeZone: string, after: Date): Date | undefined {
  let expression;
  try {
    expression = CronExpressionParser.parse(recurrence.trim(), { currentDate: after, tz: timeZone, strict: false });
  } catch (error) {
    throw invalid(`Invalid value for Recurrence: '${recurrence}': ${(error as Error).message}.`);
  }
  try {
    return expression.next().toDate();
  } catch {
    return undefined;
  }
}

/** The time fields of a scheduled action. */
export interface ScheduleTimes {
  startTime?: Date;
  endTime?: Date;
  recurrence?: string;
  /** Absent = UTC. */
  timeZone?: string;
}

/**
 * When a new or replaced action first runs: a one-off at its StartTime; a recurring one at its
 * StartTime when that is still ahead (AWS: "performs the action at this time, and then … based on
 * the specified recurrence"), otherwise at the recurrence's first run after `now`.
 * Checks: a one-off needs a StartTime; EndTime after StartTime and after `now`; a valid zone and
 * recurrence; a recurring action must run at least once before its EndTime.
 * (A StartTime in the past is refused by the caller, which knows whether it was given.)
 * @throws PhantomError Validation.
 */
export function firstRunTime(times: ScheduleTimes, now: Date): Date {
  const { startTime, endTime, recurrence } = times;
  const timeZone = checkTimeZone(times.timeZone ?? DEFAULT_TIME_ZONE);
  if (startTime && endTime && endTime.getTime() < startTime.getTime())
    throw invalid('The EndTime must be after the StartTime.');
  if (endTime && endTime.getTime() <= now.getTime()) throw invalid('The EndTime is in the past.');
  if (recurrence === undefined) {
    if (!startTime) throw invalid('A scheduled action needs a StartTime or a Recurrence.');
    return startTime;
  }
  checkRecurrence(recurrence, timeZone, now);
  const first =
    startTime && startTime.getTime() >= now.getTime() ? startTime : nextOccurrence(recurrence, timeZone, now);
  if (!first || (endTime && first.getTime() > endTime.getTime()))
    throw invalid(`Recurrence '${recurrence}' does not run between the StartTime and the EndTime.`);
  return first;
}

/**
 * When an action that was due at `due` (and has just run, or been skipped) runs next: undefined
 * for a one-off action and for a recurring one whose next run would fall after its EndTime.
 * Runs missed while nothing ran them (the scheduler stopped) are not caught up: the next run is
 * the first one of the recurrence, followed from `due`, that is after `now`.
 */
export function runAfter(times: ScheduleTimes, due: Date, now: Date): Date | undefined {
  if (times.recurrence === undefined) return undefined;
  const timeZone = times.timeZone ?? DEFAULT_TIME_ZONE;
  let next: Date | undefined = due;
  for (let i = 0; next && next.getTime() <= now.getTime(); i++)
    next = nextOccurrence(times.recurrence, timeZone, i < MAX_SKIPPED_RUNS ? next : now);
  if (!next || (times.endTime && next.getTime() > times.endTime.getTime())) return undefined;
  return next;
}

/** The sizes a scheduled action sets. */
export interface ScheduledSizes {
  minSize?: number;
  maxSize?: number;
  desiredCapacity?: number;
}

/**
 * At least one of MinSize, MaxSize and DesiredCapacity, consistent among those given.
 * (Against the group's bounds they are checked when the action runs, as AWS does.)
 * @throws PhantomError Validation.
 */
export function checkScheduledSizes(sizes: ScheduledSizes): void {
  const { minSize, maxSize, desiredCapacity } = sizes;
  if (minSize === undefined && maxSize === undefined && desiredCapacity === undefined)
    throw invalid('At least one of MinSize, MaxSize or DesiredCapacity must be specified.');
  if (minSize !== undefined && maxSize !== undefined && minSize > maxSize)
    throw invalid(`Max bound, ${maxSize}, must be greater than or equal to min bound, ${minSize}`);
  if (desiredCapacity !== undefined && minSize !== undefined && desiredCapacity < minSize)
    throw invalid(`Desired capacity:${desiredCapacity} must be greater than or equal to min size:${minSize}`);
  if (desiredCapacity !== undefined && maxSize !== undefined && desiredCapacity > maxSize)
    throw invalid(`Desired capacity:${desiredCapacity} must be less than or equal to max size:${maxSize}`);
}
