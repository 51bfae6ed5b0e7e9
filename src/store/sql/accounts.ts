import { PhantomError } from '../../contracts/errors.ts';
import type { AccessKeyRecord, User, UserId, UserLimits } from '../../contracts/records.ts';
import { accessKeyFromRow, accessKeyToRow, userFromRow, userToRow } from './rows.ts';
import { affected, type Db } from './scope.ts';

/** Installation metadata, users and access keys. Portable SQL over Kysely. */

/** The value stored under `key`, if any. */
export async function getMeta(db: Db, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Inserts or overwrites `key`. */
export async function setMeta(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/**
 * Creates a user.
 * @throws PhantomError AlreadyExists when the id or the name is taken; nothing is written.
 */
export async function createUser(db: Db, user: User): Promise<void> {
  const result = await db
    .insertInto('users')
    .values(userToRow(user))
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (affected(result) === 0) throw new PhantomError('AlreadyExists', `User ${user.name} already exists`);
}

export async function getUserById(db: Db, id: UserId): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && userFromRow(row);
}

export async function getUserByName(db: Db, name: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  return row && userFromRow(row);
}

/** Every user, sorted by name. */
export async function listUsers(db: Db): Promise<User[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('name').execute();
  return rows.map(userFromRow);
}

/**
 * Replaces the user's limit overrides with `limits` (a key left out falls back to the default).
 * @throws PhantomError NotFound when there is no such user.
 */
export async function setUserLimits(db: Db, id: UserId, limits: Partial<UserLimits>): Promise<void> {
  const result = await db
    .updateTable('users')
    .set({ limits_json: JSON.stringify(limits) })
    .where('id', '=', id)
    .executeTakeFirst();
  if (affected(result) === 0) throw new PhantomError('NotFound', `User ${id} not found`);
}

/**
 * Stores an access key of an existing user.
 * @throws PhantomError NotFound when the user does not exist; AlreadyExists when the key id is taken.
 */
export async function createAccessKey(db: Db, key: AccessKeyRecord): Promise<void> {
  const owner = await db.selectFrom('users').select('id').where('id', '=', key.userId).executeTakeFirst();
  if (!owner) throw new PhantomError('NotFound', `User ${key.userId} not found`);
  const result = await db
    .insertInto('access_keys')
    .values(accessKeyToRow(key))
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  if (affected(result) === 0) throw new PhantomError('AlreadyExists', `Access key ${key.accessKeyId} already exists`);
}

/** One primary-key lookup (the signature check's hot path). */
export async function getAccessKey(db: Db, accessKeyId: string): Promise<AccessKeyRecord | undefined> {
  const row = await db
    .selectFrom('access_keys')
    .selectAll()
    .where('access_key_id', '=', accessKeyId)
    .executeTakeFirst();
  return row && accessKeyFromRow(row);
}

/** The user's keys, sorted by access key id. */
export async function listAccessKeys(db: Db, userId: UserId): Promise<AccessKeyRecord[]> {
  const rows = await db
    .selectFrom('access_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('access_key_id')
    .execute();
  return rows.map(accessKeyFromRow);
}

export async function deleteAccessKey(db: Db, accessKeyId: string): Promise<boolean> {
  const result = await db.deleteFrom('access_keys').where('access_key_id', '=', accessKeyId).executeTakeFirst();
  return affected(result) > 0;
}
