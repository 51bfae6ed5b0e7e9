import { PhantomError } from '../../contracts/errors.ts';
import type { ActivityRecord, UserId } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { parseActivityCursor } from '../activity-cursor.ts';
import { activityFromRow, activityToRow } from './rows.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** Scaling activities, keyed by activityId, listed newest first. Portable SQL over Kysely. */

/** The filter of `Store.listActivities`. */
type ActivityQuery = Parameters<Store['listActivities']>[1];

/**
 * Inserts the activity or overwrites every field of the stored one.
 * @throws PhantomError AlreadyExists when the id belongs to another owner (nothing is written).
 */
export async function putActivity(db: Db, activity: ActivityRecord): Promise<void> {
  const row = activityToRow(activity);
  const { activity_id: _id, owner, ...fields } = row;
  const result = await db
    .insertInto('activities')
    .values(row)
    .onConflict((oc) => oc.column('activity_id').doUpdateSet(fields).where('activities.owner', '=', owner))
    .executeTakeFirst();
  if (affected(result) === 0) throw new PhantomError('AlreadyExists', `Activity ${activity.activityId} already exists`);
}

/**
 * The owner's activities newest first, by (startTime desc, activityId desc); `after` (see
 * `cursorOf`) keeps only those strictly after that position in this order.
 * @throws PhantomError InvalidNextToken when `after` is not a cursor.
 */
export async function listActivities(db: Db, owner: UserId, query: ActivityQuery): Promise<ActivityRecord[]> {
  if (query.activityIds?.length === 0) return [];
  let select = db.selectFrom('activities').selectAll().where('owner', '=', owner);
  if (query.groupName !== undefined) select = select.where('group_name', '=', query.groupName);
  if (query.activityIds) select = select.where('activity_id', 'in', query.activityIds);
  if (query.after !== undefined) {
    const { startTime, activityId } = parseActivityCursor(query.after);
    select = select.where((eb) =>
      eb.or([
        eb('start_time', '<', startTime),
        eb.and([eb('start_time', '=', startTime), eb('activity_id', '<', activityId)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('start_time', 'desc')
    .orderBy('activity_id', 'desc')
    .limit(limitOf(query.limit))
    .execute();
  return rows.map(activityFromRow);
}
