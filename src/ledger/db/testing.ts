import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { PostgresDb } from './postgres-db.js';
import { SqliteDb } from './sqlite-db.js';
import type { SqlDb } from './sql-db.js';

/**
 * Helpers for tests that need the real databases: reachability checks (500 ms connect timeout, so a
 * missing server skips quickly and says so) and a fresh database per test run (a temp SQLite file, or a
 * Postgres schema of its own that is dropped afterwards), so parallel runs never collide.
 */
export const POSTGRES_URL = process.env['SWITCHYARD_TEST_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['SWITCHYARD_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

export function reachable(url: string, timeoutMs = 500): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A skip reason when the server is unreachable, else false (for `test(name, { skip }, fn)`). */
export async function skipUnless(url: string, what: string): Promise<string | false> {
  return (await reachable(url)) ? false : `${what} not reachable at ${new URL(url).host}: start it to run this test`;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export interface TestDb {
  db: SqlDb;
  /** Closes and removes what the test created. */
  dispose(): Promise<void>;
}

export async function openTestDb(dialect: 'sqlite' | 'postgres', tmpDir: string): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const db = new SqliteDb(`${tmpDir}/${uniqueName('ledger')}.db`);
    return { db, dispose: () => db.close() };
  }
  const schema = uniqueName('sy_test');
  const db = await PostgresDb.open({ url: POSTGRES_URL, schema });
  return {
    db,
    dispose: async () => {
      await db.dropSchema(schema);
      await db.close();
    },
  };
}
