import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Dialect,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';

/** How many distinct SQL texts keep a prepared statement (IN lists of many lengths evict). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver with `BEGIN IMMEDIATE` transactions. Another process (the `phantom`
 * CLI) may write the same file: a deferred transaction that reads and then writes would fail
 * with SQLITE_BUSY when the other process committed in between, while an immediate one takes
 * the write lock up front and waits for it (busy_timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does run DDL inside transactions; saying so makes Kysely's Migrator apply each
 * migration run in one (immediate) transaction, which also serialises two processes that
 * open a fresh file at the same moment.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Wraps a better-sqlite3 connection so that each distinct SQL text is prepared once and the
 * statement reused (Kysely's driver prepares on every query otherwise), and rows are read as
 * arrays and turned into objects here (about twice as fast as better-sqlite3 building the
 * objects natively). The cache lives and dies with the connection; it holds statements,
 * never rows.
 */
export function cachingDatabase(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    prepare(sqlText: string): SqliteStatement {
      const hit = cache.get(sqlText);
      if (hit) return hit;
      const statement = objectRows(database.prepare(sqlText));
      if (cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(sqlText, statement);
      return statement;
    },
    close(): void {
      cache.clear();
      database.close();
    },
  };
}

/** A statement whose rows come back as objects keyed by column name, built from raw arrays. */
function objectRows(statement: BetterSqlite3.Statement<unknown[], unknown>): SqliteStatement {
  if (!statement.reader) return statement;
  statement.raw(true);
  let names = statement.columns().map((c) => c.name);
  const toObject = (values: unknown[]): Record<string, unknown> => {
    // SQLite re-prepares `select *` after another connection's schema change.
    if (values.length !== names.length) names = statement.columns().map((c) => c.name);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row;
  };
  return {
    reader: true,
    all: (parameters) => (statement.all(...parameters) as unknown[][]).map(toObject),
    run: (parameters) => statement.run(...parameters),
    *iterate(parameters) {
      for (const values of statement.iterate(...parameters)) yield toObject(values as unknown[]);
    },
  };
}

/** The Kysely dialect Phantom's SQLite store uses: stock SQLite SQL, immediate transactions. */
export function phantomSqliteDialect(database: SqliteDatabase): Dialect {
  const stock = new SqliteDialect({ database });
  return {
    createDriver: () => new ImmediateSqliteDriver({ database }),
    createAdapter: () => new TransactionalSqliteAdapter(),
    createQueryCompiler: () => stock.createQueryCompiler(),
    createIntrospector: (db) => stock.createIntrospector(db),
  };
}
