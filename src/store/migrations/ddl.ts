import { sql, type ColumnDefinitionBuilder } from 'kysely';

/** The SQL dialects the store's migrations know. The only place DDL differs between them. */
export type SqlDialectName = 'sqlite' | 'postgres';

/** A column-builder callback, as `addColumn` takes it. */
export type ColumnSpec = (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

/**
 * A NOT NULL text column that is (part of) a key, lists sort by, or a pagination cursor
 * compares. SQLite compares text bytewise already; PostgreSQL needs `COLLATE "C"` so both
 * stores sort and page identically (by Unicode code point).
 */
export function keyText(dialect: SqlDialectName): ColumnSpec {
  return dialect === 'postgres' ? (col) => col.notNull().modifyFront(sql`collate "C"`) : (col) => col.notNull();
}

/** A NOT NULL column. */
export const required: ColumnSpec = (col) => col.notNull();

/** A nullable column (an optional record field; null = absent). */
export const optional: ColumnSpec = (col) => col;

/** A NOT NULL integer column starting at `value` (booleans are 0/1 integers). */
export const integerDefault =
  (value: number): ColumnSpec =>
  (col) =>
    col.notNull().defaultTo(value);
