import type { SiteRecord } from '../../contracts/records.ts';
import type { SitesTable } from '../schema.ts';
import { affected, type Db } from './scope.ts';

/** CLI-added sites, keyed by name. Portable SQL over Kysely. */

const toRow = (s: SiteRecord): SitesTable => ({
  name: s.name,
  driver: s.driver,
  settings: JSON.stringify(s.settings),
  created_time: s.createdTime.toISOString(),
  updated_time: s.updatedTime.toISOString(),
});

/** A row back to a record; settings that are not a JSON object read as `{}` (the driver then reports what is missing). */
function fromRow(r: SitesTable): SiteRecord {
  let settings: unknown;
  try {
    settings = JSON.parse(r.settings);
  } catch {
    settings = {};
  }
  const object =
    typeof settings === 'object' && settings !== null && !Array.isArray(settings)
      ? (settings as Record<string, unknown>)
      : {};
  return {
    name: r.name,
    driver: r.driver,
    settings: object,
    createdTime: new Date(r.created_time),
    updatedTime: new Date(r.updated_time),
  };
}

/** Inserts or replaces (keeping the original created time). */
export async function putSite(db: Db, site: SiteRecord): Promise<void> {
  const row = toRow(site);
  await db
    .insertInto('sites')
    .values(row)
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ driver: row.driver, settings: row.settings, updated_time: row.updated_time }),
    )
    .execute();
}

export async function getSite(db: Db, name: string): Promise<SiteRecord | undefined> {
  const row = await db.selectFrom('sites').selectAll().where('name', '=', name).executeTakeFirst();
  return row && fromRow(row);
}

export async function listSites(db: Db): Promise<SiteRecord[]> {
  return (await db.selectFrom('sites').selectAll().orderBy('name').execute()).map(fromRow);
}

export async function deleteSite(db: Db, name: string): Promise<boolean> {
  return affected(await db.deleteFrom('sites').where('name', '=', name).executeTakeFirst()) > 0;
}
