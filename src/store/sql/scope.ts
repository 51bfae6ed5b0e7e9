import { sql, type Kysely } from 'kysely';
import type { PhantomDatabase } from '../schema.ts';

/** A Kysely handle on the Phantom schema: the database itself or an open transaction. */
export type Db = Kysely<PhantomDatabase>;

/**
 * Where a store's queries run: the database (autocommit) or one open transaction. Every
 * query module takes the scope's `db`, so a transaction's Store routes every method through it.
 */
export interface SqlScope {
  /** The executor for this scope. Throws once the scope's transaction has finished. */
  readonly db: Db;
  /**
   * Runs `fn` atomically. Outside a transaction it opens one; inside one it sets a savepoint,
   * so a throwing `fn` undoes only its own writes (and the error still propagates).
   */
  transaction<T>(fn: (scope: SqlScope) => Promise<T>): Promise<T>;
  /** Runs several statements atomically: in a new transaction, or in the current one. */
  atomic<T>(fn: (db: Db) => Promise<T>): Promise<T>;
}

/** Per-transaction state, shared by the transaction's scope and its savepoint scopes. */
interface TransactionState {
  open: boolean;
  savepoints: number;
}

/** The autocommit scope of a database. */
export function rootScope(db: Db): SqlScope {
  return {
    db,
    transaction: (fn) =>
      db.transaction().execute(async (trx) => {
        const state: TransactionState = { open: true, savepoints: 0 };
        try {
          return await fn(transactionScope(trx, state));
        } finally {
          state.open = false;
        }
      }),
    atomic: (fn) => db.transaction().execute(fn),
  };
}

function transactionScope(trx: Db, state: TransactionState): SqlScope {
  const live = (): Db => {
    if (!state.open) throw new Error('Store used after its transaction finished');
    return trx;
  };
  return {
    get db(): Db {
      return live();
    },
    async transaction(fn) {
      const name = sql.id(`phantom_sp_${++state.savepoints}`);
      await sql`savepoint ${name}`.execute(live());
      try {
        const result = await fn(transactionScope(trx, state));
        await sql`release savepoint ${name}`.execute(live());
        return result;
      } catch (error) {
        await sql`rollback to savepoint ${name}`.execute(live());
        await sql`release savepoint ${name}`.execute(live());
        throw error;
      }
    },
    atomic: (fn) => fn(live()),
  };
}

/** Rows an INSERT/UPDATE touched, as a number. */
export const affected = (result: {
  numInsertedOrUpdatedRows?: bigint;
  numUpdatedRows?: bigint;
  numDeletedRows?: bigint;
}): number => Number(result.numInsertedOrUpdatedRows ?? result.numUpdatedRows ?? result.numDeletedRows ?? 0n);

/** Kysely's LIMIT, clamped (SQLite reads a negative limit as "no limit"). */
export const limitOf = (limit: number): number => Math.max(0, Math.floor(limit));
