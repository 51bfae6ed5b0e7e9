import type { Kysely, Migration } from 'kysely';
import { keyText, optional, required, type SqlDialectName } from './ddl.ts';

/** Per-user cloud credentials per site; the secret part is sealed before it reaches the table. */
export function cloudCredentialsSchema(dialect: SqlDialectName): Migration {
  const key = keyText(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('cloud_credentials')
        .addColumn('owner', 'text', (c) => key(c).references('users.id').onDelete('cascade'))
        .addColumn('site', 'text', key)
        .addColumn('sealed', 'text', required)
        .addColumn('key_name', 'text', optional)
        .addColumn('created_time', 'text', required)
        .addColumn('updated_time', 'text', required)
        .addPrimaryKeyConstraint('cloud_credentials_pk', ['owner', 'site'])
        .execute();
    },
  };
}
