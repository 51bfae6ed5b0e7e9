import type { Kysely, Migration } from 'kysely';
import { keyText, required, type SqlDialectName } from './ddl.ts';

/** Sites added with `phantom site add` (config-file sites are not stored); no secrets. */
export function sitesSchema(dialect: SqlDialectName): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sites')
        .addColumn('name', 'text', (c) => keyText(dialect)(c).primaryKey())
        .addColumn('driver', 'text', required)
        .addColumn('settings', 'text', required)
        .addColumn('created_time', 'text', required)
        .addColumn('updated_time', 'text', required)
        .execute();
    },
  };
}
