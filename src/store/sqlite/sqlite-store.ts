import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Store } from '../../contracts/store.ts';
import { migrateToLatest } from '../migrations/index.ts';
import type { PhantomDatabase } from '../schema.ts';
import { createSqlStore } from '../sql/sql-store.ts';
import { cachingDatabase, phantomSqliteDialect } from './sqlite-dialect.ts';

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** Database file path (its directory is created if missing), or `':memory:'`. */
  file: string;
}

/** How long a statement waits for another process's write lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Makes the database file, and its -wal and -shm if present, readable by the owner only (0600).
 * SQLite creates -wal and -shm with the main file's mode, so a main file created 0600 keeps
 * them 0600 whatever the umask or the directory's mode; existing files are tightened.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}

/**
 * Opens (creating if needed) the embedded SQLite store and migrates it to the latest schema.
 * The file may be open in other processes at the same time (the server and the `phantom`
 * CLI): WAL mode lets readers run beside one writer, writers wait up to 5 s for each other,
 * and transactions take the write lock up front. The files are 0600 (owner only).
 * @throws Error when the file cannot be opened or a migration fails.
 */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  const inMemory = opts.file === ':memory:' || opts.file === '';
  if (!inMemory) {
    mkdirSync(dirname(opts.file), { recursive: true });
    ownerOnly(opts.file);
  }
  const connection = new Database(opts.file, { timeout: BUSY_TIMEOUT_MS });
  try {
    connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    // Checkpoint every 100 WAL pages instead of SQLite's 1,000: each automatic checkpoint runs
    // inside a commit and holds the event loop while it copies; smaller ones hold it less
    // (bench:fairness at 50,000 instances: batches holding the loop > 10 ms, 155 → 64 of ~267).
    connection.pragma('wal_autocheckpoint = 100');
    connection.pragma('foreign_keys = ON');
  } catch (error) {
    connection.close();
    throw error;
  }
  const db = new Kysely<PhantomDatabase>({ dialect: phantomSqliteDialect(cachingDatabase(connection)) });
  try {
    await migrateToLatest(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  // Prepared once: db.pragma() would prepare the statement again on every call.
  const dataVersion = connection.prepare('PRAGMA data_version').pluck();
  return createSqlStore(
    db,
    () => db.destroy(),
    () => dataVersion.get() as number,
  );
}
