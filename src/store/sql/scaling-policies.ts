import type { ScalingPolicy, ScalingPolicyRecord } from '../../contracts/scaling-policy.ts';
import type { UserId } from '../../contracts/records.ts';
import type { ScalingPolicyQuery } from '../../contracts/store.ts';
import type { ScalingPoliciesTable } from '../schema.ts';
import { affected, limitOf, type Db } from './scope.ts';

/** Scaling policies, keyed by (owner, group_name, name); the typed policy is stored as JSON. */

const toRow = (p: ScalingPolicyRecord): ScalingPoliciesTable => ({
  owner: p.owner,
  group_name: p.groupName,
  name: p.policy.policyName,
  policy_id: p.policyId,
  policy_type: p.policy.policyType,
  policy: JSON.stringify(p.policy),
  created_time: p.createdTime.toISOString(),
  updated_time: p.updatedTime.toISOString(),
});

const fromRow = (r: ScalingPoliciesTable): ScalingPolicyRecord => ({
  owner: r.owner,
  groupName: r.group_name,
  policyId: r.policy_id,
  policy: JSON.parse(r.policy) as ScalingPolicy,
  createdTime: new Date(r.created_time),
  updatedTime: new Date(r.updated_time),
});

/** Inserts, or replaces every field of the policy of the same (owner, group, name). */
export async function putScalingPolicy(db: Db, record: ScalingPolicyRecord): Promise<void> {
  const row = toRow(record);
  const { owner: _o, group_name: _g, name: _n, ...fields } = row;
  await db
    .insertInto('scaling_policies')
    .values(row)
    .onConflict((oc) => oc.columns(['owner', 'group_name', 'name']).doUpdateSet(fields))
    .execute();
}

export async function getScalingPolicy(
  db: Db,
  owner: UserId,
  groupName: string,
  name: string,
): Promise<ScalingPolicyRecord | undefined> {
  const row = await db
    .selectFrom('scaling_policies')
    .selectAll()
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && fromRow(row);
}

export async function getScalingPolicyById(
  db: Db,
  owner: UserId,
  policyId: string,
): Promise<ScalingPolicyRecord | undefined> {
  const row = await db
    .selectFrom('scaling_policies')
    .selectAll()
    .where('owner', '=', owner)
    .where('policy_id', '=', policyId)
    .executeTakeFirst();
  return row && fromRow(row);
}

/** One page of the owner's policies, sorted by (group, name). */
export async function listScalingPolicies(
  db: Db,
  owner: UserId,
  query: ScalingPolicyQuery,
): Promise<ScalingPolicyRecord[]> {
  if (query.names?.length === 0 || query.policyTypes?.length === 0) return [];
  let select = db.selectFrom('scaling_policies').selectAll().where('owner', '=', owner);
  if (query.groupName !== undefined) select = select.where('group_name', '=', query.groupName);
  if (query.names) select = select.where('name', 'in', query.names);
  if (query.policyTypes) select = select.where('policy_type', 'in', query.policyTypes);
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

export async function countScalingPolicies(db: Db, owner: UserId, groupName: string): Promise<number> {
  const row = await db
    .selectFrom('scaling_policies')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function deleteScalingPolicy(db: Db, owner: UserId, groupName: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('scaling_policies')
    .where('owner', '=', owner)
    .where('group_name', '=', groupName)
    .where('name', '=', name)
    .executeTakeFirst();
  return affected(result) > 0;
}
