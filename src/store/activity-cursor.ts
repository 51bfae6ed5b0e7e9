import { PhantomError } from '../contracts/errors.ts';
import type { ActivityRecord } from '../contracts/records.ts';

/** A decoded activity cursor: the position of one activity in newest-first order. */
export interface ActivityCursor {
  /** ISO-8601 text exactly as `Date#toISOString` writes it. */
  startTime: string;
  activityId: string;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The `after` cursor that makes `Store.listActivities` continue strictly after `activity`
 * in its newest-first order: `<iso startTime>|<activityId>`.
 */
export const cursorOf = (activity: Pick<ActivityRecord, 'startTime' | 'activityId'>): string =>
  `${activity.startTime.toISOString()}|${activity.activityId}`;

/**
 * Parses a cursor made by `cursorOf`.
 * @throws PhantomError InvalidNextToken when the text is not such a cursor.
 */
export function parseActivityCursor(cursor: string): ActivityCursor {
  const bar = cursor.indexOf('|');
  const startTime = cursor.slice(0, bar);
  const activityId = cursor.slice(bar + 1);
  if (bar < 0 || !ISO_MS.test(startTime) || Number.isNaN(Date.parse(startTime)) || activityId === '') {
    throw new PhantomError('InvalidNextToken', `The activity cursor '${cursor}' is invalid.`);
  }
  return { startTime, activityId };
}
