/**
 * Test child for the SIGTERM flush test: writes usage records as fast as a busy gateway would until it
 * gets SIGTERM, then closes the writer (draining the buffer) and prints how many records it wrote.
 *
 * usage: node --import tsx ledger-child.ts <sqlite-path | postgres-url> [schema]
 */
import { openDb } from './db/open-db.js';
import { insertUsage } from './usage-store.js';
import { LedgerWriter } from './writer.js';

const [target, schema] = process.argv.slice(2);
if (target === undefined) process.exit(2);
const db = await openDb(
  target.startsWith('postgres') ? { postgres: target, ...(schema === undefined ? {} : { schema }) } : { sqlitePath: target },
);
// A long interval and a large batch, so that at SIGTERM the buffer surely holds records that only
// close() writes.
const writer = new LedgerWriter((records) => insertUsage(db, records), { flushIntervalMs: 10_000, maxBatch: 1_000_000, maxBuffered: 10_000_000 });
let produced = 0;
let stopping = false;

process.once('SIGTERM', () => {
  stopping = true;
  void (async () => {
    const pendingAtSignal = writer.stats.pending;
    await writer.close();
    await db.close();
    process.stdout.write(`${JSON.stringify({ produced, pendingAtSignal, ...writer.stats })}\n`);
    process.exit(0);
  })();
});

function produce(): void {
  if (stopping) return;
  for (let i = 0; i < 20; i++) {
    const t = Date.now();
    writer.write({
      id: `${process.pid}-${produced++}`,
      startedAt: t,
      endedAt: t + 5,
      tenant: 'sigterm',
      usage: { inputTokens: 10, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 2, reasoningTokens: undefined },
      status: 200,
    });
  }
  if (produced === 1000) process.stdout.write('ready\n');
  setImmediate(produce);
}
produce();
