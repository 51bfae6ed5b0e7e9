import type { CloudCredentialRecord, UserId } from '../../contracts/records.ts';
import type { CloudCredentialsTable } from '../schema.ts';
import { affected, type Db } from './scope.ts';

/** Cloud credentials, keyed by (owner, site). Portable SQL over Kysely. */

const toRow = (c: CloudCredentialRecord): CloudCredentialsTable => ({
  owner: c.owner,
  site: c.site,
  sealed: c.sealed,
  key_name: c.keyName ?? null,
  created_time: c.createdTime.toISOString(),
  updated_time: c.updatedTime.toISOString(),
});

function fromRow(r: CloudCredentialsTable): CloudCredentialRecord {
  const c: CloudCredentialRecord = {
    owner: r.owner,
    site: r.site,
    sealed: r.sealed,
    createdTime: new Date(r.created_time),
    updatedTime: new Date(r.updated_time),
  };
  if (r.key_name !== null) c.keyName = r.key_name;
  return c;
}

/** Inserts or replaces (keeping the original created time). */
export async function putCredential(db: Db, credential: CloudCredentialRecord): Promise<void> {
  const row = toRow(credential);
  await db
    .insertInto('cloud_credentials')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['owner', 'site'])
        .doUpdateSet({ sealed: row.sealed, key_name: row.key_name, updated_time: row.updated_time }),
    )
    .execute();
}

export async function getCredential(db: Db, owner: UserId, site: string): Promise<CloudCredentialRecord | undefined> {
  const row = await db
    .selectFrom('cloud_credentials')
    .selectAll()
    .where('owner', '=', owner)
    .where('site', '=', site)
    .executeTakeFirst();
  return row && fromRow(row);
}

export async function listCredentials(db: Db, owner: UserId): Promise<CloudCredentialRecord[]> {
  return (
    await db.selectFrom('cloud_credentials').selectAll().where('owner', '=', owner).orderBy('site').execute()
  ).map(fromRow);
}

export async function deleteCredential(db: Db, owner: UserId, site: string): Promise<boolean> {
  return (
    affected(
      await db.deleteFrom('cloud_credentials').where('owner', '=', owner).where('site', '=', site).executeTakeFirst(),
    ) > 0
  );
}
