import type { InstanceRecord, InstanceSummary, LifecycleState, UserId } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { byCodePoint } from '../../lib/code-point-order.ts';
import { INSTANCE_SUMMARY_COLUMNS, instanceFromRow, instanceSummaryFromRow, instanceToRow } from './rows.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** Instances, keyed by (owner, instanceId). Portable SQL over Kysely. */

/** The filter of `Store.listInstances`. */
type InstanceQuery = Parameters<Store['listInstances']>[1];

/** Inserts the instance or overwrites every field of the stored one. */
export async function putInstance(db: Db, instance: InstanceRecord): Promise<void> {
  const row = instanceToRow(instance);
  const { owner: _owner, instance_id: _id, ...fields } = row;
  await db
    .insertInto('instances')
    .values(row)
    .onConflict((oc) => oc.columns(['owner', 'instance_id']).doUpdateSet(fields))
    .execute();
}

export async function getInstance(db: Db, owner: UserId, instanceId: string): Promise<InstanceRecord | undefined> {
  const row = await db
    .selectFrom('instances')
    .selectAll()
    .where('owner', '=', owner)
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
  return row && instanceFromRow(row);
}

/** The owner's instances (of one group when `groupName` is given), sorted by instance id. */
export async function listInstances(db: Db, owner: UserId, query: InstanceQuery): Promise<InstanceRecord[]> {
  if (query.instanceIds?.length === 0) return [];
  let select = db.selectFrom('instances').selectAll().where('owner', '=', owner);
  if (query.groupName !== undefined) select = select.where('group_name', '=', query.groupName);
  if (query.instanceIds) select = select.where('instance_id', 'in', query.instanceIds);
  if (query.after !== undefined) select = select.where('instance_id', '>', query.after);
  select = select.orderBy('instance_id');
  if (query.limit !== undefined) select = select.limit(limitOf(query.limit));
  return (await select.execute()).map(instanceFromRow);
}

/**
 * Instances of the named groups in one query, per group name, each sorted by instance id;
 * every requested name is a key, with [] when the group has no instances.
 */
export async function listInstancesOfGroups(
  db: Db,
  owner: UserId,
  groupNames: readonly string[],
): Promise<Map<string, InstanceRecord[]>> {
  const byGroup = new Map<string, InstanceRecord[]>(groupNames.map((name) => [name, []]));
  if (groupNames.length === 0) return byGroup;
  const rows = await db
    .selectFrom('instances')
    .selectAll()
    .where('owner', '=', owner)
    .where('group_name', 'in', groupNames)
    .orderBy('group_name')
    .orderBy('instance_id')
    .execute();
  for (const row of rows) byGroup.get(row.group_name)?.push(instanceFromRow(row));
  return byGroup;
}

/**
 * What Describe shows of the named groups' instances, in one query of the shown columns. The
 * rows come unordered (an ordered IN lookup costs SQLite more than sorting a few per group here).
 */
export async function listGroupMembers(
  db: Db,
  owner: UserId,
  groupNames: readonly string[],
): Promise<Map<string, InstanceSummary[]>> {
  const byGroup = new Map<string, InstanceSummary[]>(groupNames.map((name) => [name, []]));
  if (groupNames.length === 0) return byGroup;
  const rows = await db
    .selectFrom('instances')
    .select(['group_name', ...INSTANCE_SUMMARY_COLUMNS])
    .where('owner', '=', owner)
    .where('group_name', 'in', groupNames)
    .execute();
  for (const row of rows) byGroup.get(row.group_name)?.push(instanceSummaryFromRow(row));
  for (const members of byGroup.values()) members.sort((a, b) => byCodePoint(a.instanceId, b.instanceId));
  return byGroup;
}

export async function deleteInstance(db: Db, owner: UserId, instanceId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('instances')
    .where('owner', '=', owner)
    .where('instance_id', '=', instanceId)
    .executeTakeFirst();
  return affected(result) > 0;
}

/** Instances of every owner counted per (site, lifecycle state), sorted by site then state. */
export async function countInstancesBySiteAndState(
  db: Db,
): Promise<Array<{ site: string; state: LifecycleState; count: number }>> {
  const rows = await db
    .selectFrom('instances')
    .select(['site', 'lifecycle_state'])
    .select((eb) => eb.fn.countAll().as('n'))
    .groupBy(['site', 'lifecycle_state'])
    .orderBy('site')
    .orderBy('lifecycle_state')
    .execute();
  return rows.map((row) => ({ site: row.site, state: row.lifecycle_state as LifecycleState, count: Number(row.n) }));
}
