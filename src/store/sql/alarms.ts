import { randomUUID } from 'node:crypto';
import type {
  AlarmDefinition,
  AlarmHistoryItem,
  AlarmHistoryQuery,
  AlarmHistoryType,
  AlarmListQuery,
  AlarmRecord,
  AlarmState,
  AlarmStateChange,
} from '../../contracts/alarm.ts';
import type { AlarmHistoryTable, AlarmsTable } from '../schema.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** CloudWatch metric alarms keyed by (owner, name), and their history. Portable SQL over Kysely. */

const toRow = (a: AlarmRecord): AlarmsTable => ({
  owner: a.owner,
  name: a.definition.name,
  arn: a.arn,
  definition_json: JSON.stringify(a.definition),
  state: a.state,
  state_reason: a.stateReason,
  state_reason_data: a.stateReasonData ?? null,
  state_updated_time: a.stateUpdatedTime.toISOString(),
  configuration_updated_time: a.configurationUpdatedTime.toISOString(),
  last_action_time: a.lastActionTime?.toISOString() ?? null,
  owner_policy_arn: a.ownerPolicyArn ?? null,
});

function fromRow(r: AlarmsTable): AlarmRecord {
  return {
    owner: r.owner,
    arn: r.arn,
    definition: JSON.parse(r.definition_json) as AlarmDefinition,
    state: r.state as AlarmState,
    stateReason: r.state_reason,
    ...(r.state_reason_data !== null ? { stateReasonData: r.state_reason_data } : {}),
    stateUpdatedTime: new Date(r.state_updated_time),
    configurationUpdatedTime: new Date(r.configuration_updated_time),
    ...(r.last_action_time !== null ? { lastActionTime: new Date(r.last_action_time) } : {}),
    ...(r.owner_policy_arn !== null ? { ownerPolicyArn: r.owner_policy_arn } : {}),
  };
}

/**
 * Creates the alarm, or replaces an existing one's definition (and its owning policy and
 * ARN) keeping its state, as PutMetricAlarm does. Returns whether it was created.
 */
export async function putAlarm(db: Db, alarm: AlarmRecord): Promise<boolean> {
  const row = toRow(alarm);
  const updated = await db
    .updateTable('alarms')
    .set({
      arn: row.arn,
      definition_json: row.definition_json,
      configuration_updated_time: row.configuration_updated_time,
      owner_policy_arn: row.owner_policy_arn,
    })
    .where('owner', '=', row.owner)
    .where('name', '=', row.name)
    .executeTakeFirst();
  if (affected(updated) > 0) return false;
  await db.insertInto('alarms').values(row).execute();
  return true;
}

export async function getAlarm(db: Db, owner: string, name: string): Promise<AlarmRecord | undefined> {
  const row = await db
    .selectFrom('alarms')
    .selectAll()
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** One page of an owner's alarms in name order. */
export async function listAlarms(db: Db, owner: string, q: AlarmListQuery): Promise<AlarmRecord[]> {
  if (q.names?.length === 0) return [];
  let query = db.selectFrom('alarms').selectAll().where('owner', '=', owner);
  if (q.names) query = query.where('name', 'in', q.names);
  if (q.namePrefix !== undefined)
    query = query.where('name', '>=', q.namePrefix).where('name', '<', `${q.namePrefix}\u{10FFFF}`);
  if (q.state !== undefined) query = query.where('state', '=', q.state);
  if (q.after !== undefined) query = query.where('name', '>', q.after);
  return (await query.orderBy('name').limit(limitOf(q.limit)).execute()).map(fromRow);
}

/** Every owner's alarms in (owner, name) order, a page at a time after `after` (exclusive). */
export async function listAllAlarms(
  db: Db,
  after: { owner: string; name: string } | undefined,
  limit: number,
): Promise<AlarmRecord[]> {
  let query = db.selectFrom('alarms').selectAll();
  if (after)
    query = query.where((eb) =>
      eb.or([eb('owner', '>', after.owner), eb.and([eb('owner', '=', after.owner), eb('name', '>', after.name)])]),
    );
  return (await query.orderBy('owner').orderBy('name').limit(limitOf(limit)).execute()).map(fromRow);
}

export async function countAlarms(db: Db, owner: string): Promise<number> {
  const row = await db
    .selectFrom('alarms')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Deletes the named alarms that exist; returns their names. */
export async function deleteAlarms(db: Db, owner: string, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db
    .deleteFrom('alarms')
    .where('owner', '=', owner)
    .where('name', 'in', names)
    .returning('name')
    .execute();
  return rows.map((r) => r.name);
}

/** Sets an alarm's state; false when there is no such alarm. */
export async function setAlarmState(db: Db, owner: string, name: string, change: AlarmStateChange): Promise<boolean> {
  const result = await db
    .updateTable('alarms')
    .set({
      state: change.state,
      state_reason: change.reason,
      state_reason_data: change.reasonData ?? null,
      state_updated_time: change.at.toISOString(),
    })
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return affected(result) > 0;
}

/** Records when an alarm last invoked its actions; false when there is no such alarm. */
export async function markAlarmActed(db: Db, owner: string, name: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('alarms')
    .set({ last_action_time: at.toISOString() })
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return affected(result) > 0;
}

/**
 * A history row. Its id sorts by timestamp, then (within one process) by insertion: the
 * monotonic high-resolution clock orders items written in the same millisecond, and a uuid keeps
 * ids of different processes apart.
 */
const historyRow = (item: AlarmHistoryItem): AlarmHistoryTable => {
  const timestamp = item.timestamp.toISOString();
  const sequence = process.hrtime.bigint().toString().padStart(20, '0');
  return {
    id: `${timestamp}|${sequence}|${randomUUID()}`,
    owner: item.owner,
    alarm_name: item.alarmName,
    type: item.type,
    timestamp,
    summary: item.summary,
    data: item.data,
  };
};

export async function addAlarmHistory(db: Db, items: readonly AlarmHistoryItem[]): Promise<void> {
  if (items.length === 0) return;
  await db.insertInto('alarm_history').values(items.map(historyRow)).execute();
}

/** One page of an owner's history, newest first; each item carries the cursor of the next page. */
export async function listAlarmHistory(
  db: Db,
  owner: string,
  q: AlarmHistoryQuery,
): Promise<Array<AlarmHistoryItem & { cursor: string }>> {
  let query = db.selectFrom('alarm_history').selectAll().where('owner', '=', owner);
  if (q.alarmName !== undefined) query = query.where('alarm_name', '=', q.alarmName);
  if (q.type !== undefined) query = query.where('type', '=', q.type);
  if (q.start !== undefined) query = query.where('timestamp', '>=', q.start.toISOString());
  if (q.end !== undefined) query = query.where('timestamp', '<=', q.end.toISOString());
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  const rows = await query.orderBy('id', 'desc').limit(limitOf(q.limit)).execute();
  return rows.map((r) => ({
    owner: r.owner,
    alarmName: r.alarm_name,
    type: r.type as AlarmHistoryType,
    timestamp: new Date(r.timestamp),
    summary: r.summary,
    data: r.data,
    cursor: r.id,
  }));
}

/** Deletes history older than `before` (every owner); returns how many items went. */
export async function pruneAlarmHistory(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('alarm_history').where('timestamp', '<', before.toISOString()).executeTakeFirst();
  return affected(result);
}
