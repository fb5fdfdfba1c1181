import { DEFAULT_SQLITE_PATH, SqliteDb } from './sqlite-db.js';
import type { SqlDb } from './sql-db.js';

export interface OpenDbOptions {
  /** `postgres://…`; when set, the ledger and keys live in Postgres (shared by every gateway process). */
  postgres?: string;
  /** Postgres schema to use (default: the connection's search_path, usually `public`). */
  schema?: string;
  /** SQLite file, default `.switchyard/switchyard.db`. */
  sqlitePath?: string;
}

/** Opens (and migrates) the database the flags or config name: Postgres when given, SQLite otherwise. */
export async function openDb(options: OpenDbOptions = {}): Promise<SqlDb> {
  if (options.postgres !== undefined) {
    // Imported only when used: a gateway on SQLite should not carry the pg driver in its heap.
    const { PostgresDb } = await import('./postgres-db.js');
    return PostgresDb.open({ url: options.postgres, ...(options.schema === undefined ? {} : { schema: options.schema }) });
  }
  return new SqliteDb(options.sqlitePath ?? DEFAULT_SQLITE_PATH);
}
