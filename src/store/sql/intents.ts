import { PhantomError } from '../../contracts/errors.ts';
import type { IntentState, LaunchIntentRecord } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import type { LaunchIntentsTable } from '../schema.ts';
import { affected, type Db } from './scope.ts';

/** Launch intents, keyed by intentId (the client token). Portable SQL over Kysely. */

const toRow = (i: LaunchIntentRecord): LaunchIntentsTable => ({
  intent_id: i.intentId,
  owner: i.owner,
  group_name: i.groupName,
  site: i.site,
  launch_configuration_name: i.launchConfigurationName,
  state: i.state,
  instance_id: i.instanceId ?? null,
  attempts: i.attempts,
  last_error: i.lastError ?? null,
  created_time: i.createdTime.toISOString(),
  updated_time: i.updatedTime.toISOString(),
  generation: i.generation,
});

function fromRow(r: LaunchIntentsTable): LaunchIntentRecord {
  const intent: LaunchIntentRecord = {
    intentId: r.intent_id,
    owner: r.owner,
    groupName: r.group_name,
    site: r.site,
    launchConfigurationName: r.launch_configuration_name,
    state: r.state as IntentState,
    attempts: r.attempts,
    createdTime: new Date(r.created_time),
    updatedTime: new Date(r.updated_time),
    generation: r.generation,
  };
  if (r.instance_id !== null) intent.instanceId = r.instance_id;
  if (r.last_error !== null) intent.lastError = r.last_error;
  return intent;
}

/** @throws PhantomError AlreadyExists when the intent id exists (nothing written). */
export async function createIntent(db: Db, intent: LaunchIntentRecord): Promise<void> {
  const result = await db
    .insertInto('launch_intents')
    .values(toRow(intent))
    .onConflict((oc) => oc.column('intent_id').doNothing())
    .executeTakeFirst();
  if (affected(result) === 0)
    throw new PhantomError('AlreadyExists', `Launch intent ${intent.intentId} already exists`);
}

export async function getIntent(db: Db, intentId: string): Promise<LaunchIntentRecord | undefined> {
  const row = await db.selectFrom('launch_intents').selectAll().where('intent_id', '=', intentId).executeTakeFirst();
  return row && fromRow(row);
}

/** Intents matching every given filter, oldest first (created time, then id). */
export async function listIntents(db: Db, query: Parameters<Store['listIntents']>[0]): Promise<LaunchIntentRecord[]> {
  if (query.states?.length === 0) return [];
  let select = db.selectFrom('launch_intents').selectAll();
  if (query.owner !== undefined) select = select.where('owner', '=', query.owner);
  if (query.groupName !== undefined) select = select.where('group_name', '=', query.groupName);
  if (query.site !== undefined) select = select.where('site', '=', query.site);
  if (query.states) select = select.where('state', 'in', query.states);
  return (await select.orderBy('created_time').orderBy('intent_id').execute()).map(fromRow);
}

/** Overwrites the stored intent with the same id and owner; false when there is none. */
export async function updateIntent(db: Db, intent: LaunchIntentRecord): Promise<boolean> {
  const { intent_id: _id, owner: _owner, ...fields } = toRow(intent);
  const result = await db
    .updateTable('launch_intents')
    .set(fields)
    .where('intent_id', '=', intent.intentId)
    .where('owner', '=', intent.owner)
    .executeTakeFirst();
  return affected(result) > 0;
}

/** Deletes the intent; RETURNING its owner lets the change stamps name whose record went. */
export async function deleteIntent(db: Db, intentId: string): Promise<boolean> {
  const rows = await db.deleteFrom('launch_intents').where('intent_id', '=', intentId).returning('owner').execute();
  return rows.length > 0;
}
