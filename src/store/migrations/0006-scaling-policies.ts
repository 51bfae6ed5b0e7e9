import type { Kysely, Migration } from 'kysely';
import { keyText, required, type SqlDialectName } from './ddl.ts';

/**
 * Scaling policies (PutScalingPolicy), keyed by (owner, group, name); the typed policy is kept
 * as JSON. The index on (owner, policy_id) finds a policy by its ARN.
 */
export function scalingPoliciesSchema(dialect: SqlDialectName): Migration {
  const key = keyText(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('scaling_policies')
        .addColumn('owner', 'text', key)
        .addColumn('group_name', 'text', key)
        .addColumn('name', 'text', key)
        .addColumn('policy_id', 'text', key)
        .addColumn('policy_type', 'text', required)
        .addColumn('policy', 'text', required)
        .addColumn('created_time', 'text', required)
        .addColumn('updated_time', 'text', required)
        .addPrimaryKeyConstraint('scaling_policies_pk', ['owner', 'group_name', 'name'])
        .execute();
      await db.schema
        .createIndex('scaling_policies_by_id')
        .on('scaling_policies')
        .columns(['owner', 'policy_id'])
        .unique()
        .execute();
    },
  };
}
