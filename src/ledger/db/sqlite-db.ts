import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './migrations.js';
import type { Row, SqlDb, SqlValue, Statement } from './sql-db.js';

export const DEFAULT_SQLITE_PATH = '.switchyard/switchyard.db';
const MAX_CACHED_STATEMENTS = 64;

/**
 * SQLite driver. WAL so readers (the CLI, `/admin/usage`) never block the ledger writer and the writer
 * never blocks them; `synchronous = NORMAL` is durable across process crashes in WAL mode (a power loss
 * may drop the last transactions, never corrupt the file — https://www.sqlite.org/wal.html).
 * `busy_timeout` lets a second process (the CLI while the gateway runs) wait for the write lock instead
 * of failing at once. The page cache is held to 2 MiB (see the constructor).
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string = DEFAULT_SQLITE_PATH, migrations: readonly Migration[] = MIGRATIONS) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; the ledger only appends (its
    // reads go through the OS page cache just as well), and under load that cache filled to ~16 MB of the
    // gateway's resident memory. 2 MiB (SQLite's own default) measured the same insert speed.
    this.db.pragma('cache_size = -2048');
    this.db.pragma('foreign_keys = ON');
    this.migrate(migrations);
  }

  private migrate(migrations: readonly Migration[]): void {
    this.db.exec(MIGRATIONS_TABLE);
    // BEGIN IMMEDIATE takes the write lock first, so two processes opening a fresh file do not both
    // decide that version 1 is missing.
    const apply = this.db.transaction(() => {
      const row = this.db.prepare('SELECT MAX(version) AS v FROM switchyard_migrations').get() as { v: number | null };
      const current = row.v ?? 0;
      for (const m of migrations) {
        if (m.version <= current) continue;
        for (const sql of m.sql.sqlite) this.db.exec(sql);
        this.db
          .prepare('INSERT INTO switchyard_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      }
    });
    apply.immediate();
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#prepared(sql).all(params) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const info = this.#prepared(sql).run(params);
    return { changes: info.changes };
  }

  async batch(statements: readonly Statement[]): Promise<void> {
    const tx = this.db.transaction(() => {
      for (const s of statements) this.#prepared(s.sql).run(s.params ?? []);
    });
    tx.immediate();
  }

  /**
   * Compiled statements by SQL text, kept across calls: the ledger runs the same INSERT for every record,
   * and compiling it per flush cost CPU and native memory. Bounded: ad-hoc SQL cannot grow it without end.
   */
  #prepared(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
