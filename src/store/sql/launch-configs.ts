import { PhantomError } from '../../contracts/errors.ts';
import type { LaunchConfigurationRecord, UserId } from '../../contracts/records.ts';
import type { PageQuery } from '../../contracts/store.ts';
import { launchConfigurationFromRow, launchConfigurationToRow } from './rows.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** Launch configurations, keyed by (owner, name). Portable SQL over Kysely. */

/** AWS's wording for a duplicate launch configuration. */
export const launchConfigurationExists = (name: string): PhantomError =>
  new PhantomError(
    'AlreadyExists',
    `Launch Configuration by this name already exists - A launch configuration already exists with the name ${name}`,
  );

/** @throws PhantomError AlreadyExists when (owner, name) exists; nothing is written. */
export async function createLaunchConfiguration(db: Db, lc: LaunchConfigurationRecord): Promise<void> {
  const result = await db
    .insertInto('launch_configurations')
    .values(launchConfigurationToRow(lc))
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (affected(result) === 0) throw launchConfigurationExists(lc.name);
}

export async function getLaunchConfiguration(
  db: Db,
  owner: UserId,
  name: string,
): Promise<LaunchConfigurationRecord | undefined> {
  const row = await db
    .selectFrom('launch_configurations')
    .selectAll()
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && launchConfigurationFromRow(row);
}

/** One page of the owner's launch configurations, sorted by name. */
export async function listLaunchConfigurations(
  db: Db,
  owner: UserId,
  page: PageQuery,
): Promise<LaunchConfigurationRecord[]> {
  if (page.names?.length === 0) return [];
  let query = db.selectFrom('launch_configurations').selectAll().where('owner', '=', owner);
  if (page.names) query = query.where('name', 'in', page.names);
  if (page.after !== undefined) query = query.where('name', '>', page.after);
  const rows = await query.orderBy('name').limit(limitOf(page.limit)).execute();
  return rows.map(launchConfigurationFromRow);
}

export async function countLaunchConfigurations(db: Db, owner: UserId): Promise<number> {
  const row = await db
    .selectFrom('launch_configurations')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner', '=', owner)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteLaunchConfiguration(db: Db, owner: UserId, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('launch_configurations')
    .where('owner', '=', owner)
    .where('name', '=', name)
    .executeTakeFirst();
  return affected(result) > 0;
}
