import type { Kysely, Migration } from 'kysely';
import { keyText, optional, required, type SqlDialectName } from './ddl.ts';

/** CloudWatch metric alarms (definition as JSON, state beside it) and their history. */
export function alarmsSchema(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alarms')
        .addColumn('owner', 'text', keyText(dialect))
        .addColumn('name', 'text', keyText(dialect))
        .addColumn('arn', 'text', required)
        .addColumn('definition_json', 'text', required)
        .addColumn('state', 'text', required)
        .addColumn('state_reason', 'text', required)
        .addColumn('state_reason_data', 'text', optional)
        .addColumn('state_updated_time', 'text', required)
        .addColumn('configuration_updated_time', 'text', required)
        .addColumn('last_action_time', 'text', optional)
        .addColumn('owner_policy_arn', 'text', optional)
        .addPrimaryKeyConstraint('alarms_pk', ['owner', 'name'])
        .execute();
      await db.schema
        .createTable('alarm_history')
        .addColumn('id', 'text', keyText(dialect))
        .addColumn('owner', 'text', keyText(dialect))
        .addColumn('alarm_name', 'text', keyText(dialect))
        .addColumn('type', 'text', required)
        .addColumn('timestamp', 'text', keyText(dialect))
        .addColumn('summary', 'text', required)
        .addColumn('data', 'text', required)
        .addPrimaryKeyConstraint('alarm_history_pk', ['id'])
        .execute();
      await db.schema.createIndex('alarm_history_by_owner').on('alarm_history').columns(['owner', 'id']).execute();
    },
  };
}
