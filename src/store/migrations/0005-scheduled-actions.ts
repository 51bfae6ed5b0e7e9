import type { Kysely, Migration } from 'kysely';
import { keyText, optional, required, type SqlDialectName } from './ddl.ts';

/**
 * Scheduled actions (PutScheduledUpdateGroupAction), keyed by (owner, group, name). The
 * scheduler finds due actions through the index on next_run_time, never by scanning groups.
 */
export function scheduledActionsSchema(dialect: SqlDialectName): Migration {
  const key = keyText(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('scheduled_actions')
        .addColumn('owner', 'text', key)
        .addColumn('group_name', 'text', key)
        .addColumn('name', 'text', key)
        .addColumn('arn', 'text', required)
        .addColumn('start_time', 'text', optional)
        .addColumn('end_time', 'text', optional)
        .addColumn('recurrence', 'text', optional)
        .addColumn('time_zone', 'text', optional)
        .addColumn('min_size', 'integer', optional)
        .addColumn('max_size', 'integer', optional)
        .addColumn('desired_capacity', 'integer', optional)
        .addColumn('next_run_time', 'text', key)
        .addColumn('created_time', 'text', required)
        .addPrimaryKeyConstraint('scheduled_actions_pk', ['owner', 'group_name', 'name'])
        .execute();
      await db.schema
        .createIndex('scheduled_actions_by_next_run')
        .on('scheduled_actions')
        .columns(['next_run_time'])
        .execute();
    },
  };
}
