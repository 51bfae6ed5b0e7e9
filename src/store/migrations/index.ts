import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.ts';
import { launchIntentsSchema } from './0002-launch-intents.ts';
import { cloudCredentialsSchema } from './0003-cloud-credentials.ts';
import { sitesSchema } from './0004-sites.ts';
import { scheduledActionsSchema } from './0005-scheduled-actions.ts';
import { scalingPoliciesSchema } from './0006-scaling-policies.ts';
import { alarmsSchema } from './0008-alarms.ts';
import type { SqlDialectName } from './ddl.ts';

export type { SqlDialectName } from './ddl.ts';

/**
 * Every migration, by name. Names sort in the order they run; never rename or edit a
 * migration that has shipped — add a new one.
 */
export function phantomMigrations(dialect: SqlDialectName): Record<string, Migration> {
  return {
    '0001-initial': initialSchema(dialect),
    '0002-launch-intents': launchIntentsSchema(dialect),
    '0003-cloud-credentials': cloudCredentialsSchema(dialect),
    '0004-sites': sitesSchema(dialect),
    '0005-scheduled-actions': scheduledActionsSchema(dialect),
    '0006-scaling-policies': scalingPoliciesSchema(dialect),
    '0008-alarms': alarmsSchema(dialect),
  };
}

/** A static, in-code migration provider (no directory scanning). */
export function migrationProvider(dialect: SqlDialectName): MigrationProvider {
  return { getMigrations: async () => phantomMigrations(dialect) };
}

/**
 * Brings the database to the latest schema. Safe to run on every open: already applied
 * migrations are skipped. Returns the names of the migrations this call applied.
 * @throws Error (with the failing migration's error as `cause`) when a migration fails, or
 *   when the database has applied migrations this build does not know (a newer Phantom).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: SqlDialectName): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider(dialect) });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((r) => r.status === 'Error');
  if (error !== undefined) {
    throw new Error(`store migration ${failed ? `${failed.migrationName} ` : ''}failed`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
