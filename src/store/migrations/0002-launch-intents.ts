import type { Kysely, Migration } from 'kysely';
import { integerDefault, keyText, optional, required, type SqlDialectName } from './ddl.ts';

/** Launch intents (DESIGN.md §5): written before each cloud launch, keyed by client token. */
export function launchIntentsSchema(dialect: SqlDialectName): Migration {
  const key = keyText(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('launch_intents')
        .addColumn('intent_id', 'text', (c) => key(c).primaryKey())
        .addColumn('owner', 'text', key)
        .addColumn('group_name', 'text', key)
        .addColumn('site', 'text', key)
        .addColumn('launch_configuration_name', 'text', required)
        .addColumn('state', 'text', required)
        .addColumn('instance_id', 'text', optional)
        .addColumn('attempts', 'integer', integerDefault(0))
        .addColumn('last_error', 'text', optional)
        .addColumn('created_time', 'text', required)
        .addColumn('updated_time', 'text', required)
        .addColumn('generation', 'integer', integerDefault(0))
        .execute();
      await db.schema
        .createIndex('launch_intents_by_group')
        .on('launch_intents')
        .columns(['owner', 'group_name', 'created_time'])
        .execute();
      await db.schema
        .createIndex('launch_intents_by_state')
        .on('launch_intents')
        .columns(['state', 'created_time'])
        .execute();
    },
  };
}
