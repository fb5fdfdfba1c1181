import pg from 'pg';
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from './migrations.js';
import { numberPlaceholders, type Row, type SqlDb, type SqlValue, type Statement } from './sql-db.js';

export interface PostgresOptions {
  url: string;
  /** A schema to create and use (search_path); tests use one per run so parallel runs never collide. */
  schema?: string;
  /** Pool size; small by default — the ledger writes in batches, so few connections suffice (LiteLLM #18708). */
  max?: number;
}

/** Arbitrary advisory-lock id: serialises migrations across gateway processes starting together. */
const MIGRATION_LOCK = 0x5717_c4a2;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL driver (pg Pool). Open with `PostgresDb.open`, which connects and migrates. */
export class PostgresDb implements SqlDb {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions, migrations: readonly Migration[] = MIGRATIONS): Promise<PostgresDb> {
    const config: pg.PoolConfig = { connectionString: options.url, max: options.max ?? 4, connectionTimeoutMillis: 5000 };
    if (options.schema !== undefined) {
      if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid Postgres schema name "${options.schema}"`);
      config.options = `-c search_path=${options.schema}`;
    }
    const pool = new pg.Pool(config);
    // An idle client that loses its connection emits 'error' on the pool; without a listener that would
    // crash the process. The next query gets a fresh connection.
    pool.on('error', () => {});
    const db = new PostgresDb(pool);
    try {
      await db.migrate(migrations, options.schema);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return db;
  }

  private async migrate(migrations: readonly Migration[], schema: string | undefined): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      // Under the lock: concurrent CREATE SCHEMA IF NOT EXISTS can still collide in the catalog.
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(MIGRATIONS_TABLE);
      const result = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM switchyard_migrations');
      const current = result.rows[0]?.v ?? 0;
      for (const m of migrations) {
        if (m.version <= current) continue;
        for (const sql of m.sql.postgres) await client.query(sql);
        await client.query('INSERT INTO switchyard_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    const result = await this.pool.query(numberPlaceholders(sql), [...params]);
    return result.rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    const result = await this.pool.query(numberPlaceholders(sql), [...params]);
    return { changes: result.rowCount ?? 0 };
  }

  async batch(statements: readonly Statement[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const s of statements) await client.query(numberPlaceholders(s.sql), [...(s.params ?? [])]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** Drops the schema (tests only: each run owns its schema). */
  async dropSchema(schema: string): Promise<void> {
    if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid Postgres schema name "${schema}"`);
    await this.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
