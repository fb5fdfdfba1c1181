/**
 * The one database handle that tenancy (tenants, keys) and the ledger (usage records) share. Two drivers
 * implement it: SQLite (embedded default, better-sqlite3) and PostgreSQL (pg). Everything above this file
 * is written once in a portable SQL subset with `?` placeholders; the Postgres driver numbers them.
 *
 * Why a thin SQL interface rather than one domain interface implemented twice: the domain code (key
 * store, ledger insert, usage queries) then exists once, and the same tests run it on both databases.
 */
export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;
export type Dialect = 'sqlite' | 'postgres';

export interface Statement {
  sql: string;
  params?: readonly SqlValue[];
}

export interface SqlDb {
  readonly dialect: Dialect;
  /** Runs a query and returns its rows (numbers may come back as strings from Postgres: use `toNumber`). */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; `changes` is the number of rows it touched. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs statements in one transaction: all or nothing. */
  batch(statements: readonly Statement[]): Promise<void>;
  close(): Promise<void>;
}

/** Postgres returns BIGINT and NUMERIC as strings; SQLite returns numbers. NULL stays null. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Like `toNumber`, but maps SQL NULL to `undefined` (our "unknown"). */
export function toOptionalNumber(value: unknown): number | undefined {
  const n = toNumber(value);
  return n === null ? undefined : n;
}

/** `?` → `$1, $2, …` for Postgres. Our SQL never contains a literal `?` (no jsonb `?` operator). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
