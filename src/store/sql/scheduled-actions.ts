import type { ScheduledActionRecord, UserId } from '../../contracts/records.ts';
import type { ScheduledActionQuery } from '../../contracts/store.ts';
import type { ScheduledActionsTable } from '../schema.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** Scheduled actions, keyed by (owner, group_name, name). Portable SQL over Kysely. */

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);
const isoOrNull = (value: Date | undefined): string | null => (value === undefined ? null : value.toISOString());

const toRow = (a: ScheduledActionRecord): ScheduledActionsTable => ({
  owner: a.owner,
  group_name: a.groupName,
  name: a.name,
  arn: a.arn,
  start_time: isoOrNull(a.startTime),
  end_time: isoOrNull(a.endTime),
  recurrence: orNull(a.recurrence),
  time_zone: orNull(a.timeZone),
  min_size: orNull(a.minSize),
  max_size: orNull(a.maxSize),
  desired_capacity: orNull(a.desiredCapacity),
  next_run_time: a.nextRunTime.toISOString(),
  created_time: a.createdTime.toISOString(),
});

/** A row back to a record; NULL columns become absent properties (records round-trip deep-equal). */
function fromRow(r: ScheduledActionsTable): ScheduledActionRecord {
  const record: ScheduledActionRecord = {
    owner: r.owner,
    groupName: r.group_name,
    name: r.name,
    arn: r.arn,
    nextRunTime: new Date(r.next_run_time),
    createdTime: new Date(r.created_time),
  };
  if (r.start_time !== null) record.startTime = new Date(r.start_time);
  if (r.end_time !== null) record.endTime = new Date(r.end_time);
  if (r.recurrence !== null) record.recurrence = r.recurrence;
  if (r.time_zone !== null) record.timeZone = r.time_zone;
  if (r.min_size !== null) record.minSize = r.min_size;
  if (r.max_size !== null) record.maxSize = r.max_size;
  if (r.desired_capacity !== null) record.desiredCapacity = r.desired_capacity;
  return record;
}

/** Inserts, or replaces every field of the action of the same (owner, group, name). */
export async function putScheduledAction(db: Db, action: ScheduledActionRecord): Promise<void> {
  const row = toRow(action);
  const { owner: _o, group_name: _g, name: _n, ...fields } = row;
  await db
    .insertInto('scheduled_actions')
    .values(row)
    .onConflict((oc) => oc.columns(['owner', 'group_name', 'name']).doUpdateSet(fields))
    .execute();
}

export async function getScheduledAction(
  db: Db,
  owner: UserId,
  groupName: string,
  name: string,
): Promise<ScheduledActionRecord | undefined> {
  const row = await db
    .selectFrom('scheduled_actions')
    .selectAll()
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** One page of the owner's actions, sorted by (group, name). */
export async function listScheduledActions(
  db: Db,
  owner: UserId,
  query: ScheduledActionQuery,
): Promise<ScheduledActionRecord[]> {
  if (query.names?.length === 0) return [];
  let select = db.selectFrom('scheduled_actions').selectAll().where('owner', '=', owner);
  if (query.groupName !== undefined) select = select.where('group_name', '=', query.groupName);
  if (query.names) select = select.where('name', 'in', query.names);
  if (query.from) select = select.where('next_run_time', '>=', query.from.toISOString());
  if (query.to) select = select.where('next_run_time', '<=', query.to.toISOString());
  const after = query.after;
  if (after)
    select = select.where((eb) =>
      eb.or([
        eb('group_name', '>', after.groupName),
        eb.and([eb('group_name', '=', after.groupName), eb('name', '>', after.name)]),
      ]),
    );
  const rows = await select.orderBy('group_name').orderBy('name').limit(limitOf(query.limit)).execute();
  return rows.map(fromRow);
}

export async function countScheduledActions(db: Db, owner: UserId, groupName: string): Promise<number> {
  const row = await db
    .selectFrom('scheduled_actions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteScheduledAction(db: Db, owner: UserId, groupName: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('scheduled_actions')
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .where('name', '=', name)
    .executeTakeFirst();
  return affected(result) > 0;
}

/** Every owner's actions due at `now`, earliest first (then owner, group, name): one indexed range read. */
export async function listDueScheduledActions(db: Db, now: Date, limit: number): Promise<ScheduledActionRecord[]> {
  const rows = await db
    .selectFrom('scheduled_actions')
    .selectAll()
    .where('next_run_time', '<=', now.toISOString())
    .orderBy('next_run_time')
    .orderBy('owner')
    .orderBy('group_name')
    .orderBy('name')
    .limit(limitOf(limit))
    .execute();
  return rows.map(fromRow);
}

/** Compare-and-set on next_run_time: moves the run due at `due` to `next`, or deletes the action when `next` is absent. */
export async function finishScheduledRun(
  db: Db,
  action: Pick<ScheduledActionRecord, 'owner' | 'groupName' | 'name'>,
  due: Date,
  next: Date | undefined,
): Promise<boolean> {
  const dueText = due.toISOString();
  const result =
    next === undefined
      ? await db
          .deleteFrom('scheduled_actions')
          .where('owner', '=', action.owner)
          .where('group_name', '=', action.groupName)
          .where('name', '=', action.name)
          .where('next_run_time', '=', dueText)
          .executeTakeFirst()
      : await db
          .updateTable('scheduled_actions')
          .set({ next_run_time: next.toISOString() })
          .where('owner', '=', action.owner)
          .where('group_name', '=', action.groupName)
          .where('name', '=', action.name)
          .where('next_run_time', '=', dueText)
          .executeTakeFirst();
  return affected(result) > 0;
}
