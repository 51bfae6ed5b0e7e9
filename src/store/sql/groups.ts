import { PhantomError } from '../../contracts/errors.ts';
import type { GroupRecord, UserId } from '../../contracts/records.ts';
import type { PageQuery } from '../../contracts/store.ts';
import { groupFromRow, groupToRow } from './rows.ts';
import { affected, limitOf, type Db } from './scope.ts';
import { byCodePoint } from '../../lib/code-point-order.ts';

/** Auto-scaling groups (domains), keyed by (owner, name). Portable SQL over Kysely. */

/** AWS's wording for a duplicate group. */
export const groupExists = (name: string): PhantomError =>
  new PhantomError(
    'AlreadyExists',
    `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
  );

/** @throws PhantomError AlreadyExists when (owner, name) exists; nothing is written. */
export async function createGroup(db: Db, group: GroupRecord): Promise<void> {
  const result = await db
    .insertInto('groups')
    .values(groupToRow(group))
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (affected(result) === 0) throw groupExists(group.name);
}

export async function getGroup(db: Db, owner: UserId, name: string): Promise<GroupRecord | undefined> {
  const row = await db
    .selectFrom('groups')
    .selectAll()
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && groupFromRow(row);
}

/** One page of the owner's groups, sorted by name: a single indexed query. */
export async function listGroups(db: Db, owner: UserId, page: PageQuery): Promise<GroupRecord[]> {
  if (page.names?.length === 0) return [];
  let query = db.selectFrom('groups').selectAll().where('owner', '=', owner);
  if (page.after !== undefined) query = query.where('name', '>', page.after);
  if (page.names) {
    // The names bound the rows: sorting them here costs less than SQLite's ordered IN lookup.
    const rows = await query.where('name', 'in', page.names).execute();
    return rows
      .map(groupFromRow)
      .sort((a, b) => byCodePoint(a.name, b.name))
      .slice(0, limitOf(page.limit));
  }
  const rows = await query.orderBy('name').limit(limitOf(page.limit)).execute();
  return rows.map(groupFromRow);
}

/** Every owner's groups, sorted by (owner, name). */
export async function listAllGroups(db: Db): Promise<GroupRecord[]> {
  const rows = await db.selectFrom('groups').selectAll().orderBy('owner').orderBy('name').execute();
  return rows.map(groupFromRow);
}

export async function listAllGroupKeys(db: Db): Promise<Array<{ owner: UserId; name: string }>> {
  return db.selectFrom('groups').select(['owner', 'name']).orderBy('owner').orderBy('name').execute();
}

export async function countGroups(db: Db, owner: UserId): Promise<number> {
  const row = await db
    .selectFrom('groups')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner', '=', owner)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function sumDesiredCapacity(db: Db, owner: UserId, except?: string): Promise<number> {
  let query = db
    .selectFrom('groups')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('desired_capacity'), eb.lit(0)).as('n'))
    .where('owner', '=', owner)
    .where('deleting', '=', 0);
  if (except !== undefined) query = query.where('name', '!=', except);
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countAllGroups(db: Db): Promise<number> {
  const row = await db
    .selectFrom('groups')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Compare-and-set: writes every field of `group` when the stored version still equals
 * `group.version`, bumping it by one.
 * @returns the stored record (with the new version).
 * @throws PhantomError Conflict when the group changed since it was read, or is gone.
 */
export async function updateGroup(db: Db, group: GroupRecord): Promise<GroupRecord> {
  const { owner, name, version, ...fields } = groupToRow(group);
  const row = await db
    .updateTable('groups')
    .set({ ...fields, version: version + 1 })
    .where('owner', '=', owner)
    .where('name', '=', name)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) {
    throw new PhantomError(
      'Conflict',
      `AutoScalingGroup ${name} was changed or deleted concurrently (version ${version} is stale)`,
    );
  }
  return groupFromRow(row);
}

/** Deletes the group, its instances, activities, launch intents, scheduled actions and scaling policies. `db` must be atomic (a transaction). */
export async function deleteGroup(db: Db, owner: UserId, name: string): Promise<boolean> {
  await db.deleteFrom('instances').where('owner', '=', owner).where('group_name', '=', name).execute();
  await db.deleteFrom('activities').where('owner', '=', owner).where('group_name', '=', name).execute();
  await db.deleteFrom('launch_intents').where('owner', '=', owner).where('group_name', '=', name).execute();
  await db.deleteFrom('scheduled_actions').where('owner', '=', owner).where('group_name', '=', name).execute();
  await db.deleteFrom('scaling_policies').where('owner', '=', owner).where('group_name', '=', name).execute();
  const result = await db.deleteFrom('groups').where('owner', '=', owner).where('name', '=', name).executeTakeFirst();
  return affected(result) > 0;
}
