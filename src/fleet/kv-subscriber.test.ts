import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';
import { encode } from '../tokenizer/tokenizer.js';
import { createUndiciTransport, type UndiciTransport } from '../transport/undici-transport.js';
import { chainBlockHashes, hashInts } from '../util/hash.js';
import { Fleet } from './fleet.js';
import { KvEventSubscriber } from './kv-subscriber.js';
import { SILENT_LOGGER } from './monitor-support.js';
import { replicaSpec, until, WALL } from './test-support.js';

let transport: UndiciTransport;
before(() => {
  transport = createUndiciTransport({ timeouts: { connectMs: 1000, firstByteMs: 5000, totalMs: 0 } });
});
after(() => transport.close());

const BREAKER = { failureThreshold: 3, cooldownMs: 1000 };

async function complete(url: string, prompt: string): Promise<void> {
  const response = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, max_tokens: 4 }),
  });
  assert.equal(response.status, 200);
  await response.json();
}

describe('KV events from a real emulator', () => {
  let a: RunningEmulator;
  let b: RunningEmulator;
  before(async () => {
    [a, b] = await Promise.all([startEmulator({ id: 'a', speed: 20 }), startEmulator({ id: 'b', speed: 20 })]);
  });
  after(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  test('populate the precise index: a second request with the same long prefix matches on that replica only', async () => {
    const fleet = new Fleet([replicaSpec('a'), replicaSpec('b')], BREAKER, WALL);
    const subscribers = [
      new KvEventSubscriber(fleet.get('a')!, { url: `${a.url}/kv-events` }, fleet.prefix, transport, SILENT_LOGGER),
      new KvEventSubscriber(fleet.get('b')!, { url: `${b.url}/kv-events` }, fleet.prefix, transport, SILENT_LOGGER),
    ];
    for (const s of subscribers) s.start();
    try {
      await until(() => fleet.get('a')!.kvSynced && fleet.get('b')!.kvSynced, 'both streams to open');
      const shared = `You are a careful assistant. ${'The quick brown fox jumps over the lazy dog. '.repeat(40)}`;
      await complete(a.url, `${shared} First question?`);
      const second = chainBlockHashes(encode(`${shared} A different second question?`), 16);
      const sharedBlocks = Math.floor(encode(shared).length / 16);
      assert.ok(sharedBlocks >= 20);
      await until(() => fleet.prefix.matchedBlocks('a', second) >= sharedBlocks - 1, 'replica a to hold the shared prefix');
      assert.equal(fleet.prefix.matchedBlocks('b', second), 0, 'replica b never saw it');
      const candidates = fleet.candidates(['p'], new Set());
      assert.equal(fleet.view(0, candidates).prefix, fleet.livePrefix, 'policies get the precise index');
      assert.equal(subscribers[0]!.status.format, 'switchyard');
      assert.equal(subscribers[0]!.status.gaps, 0);
    } finally {
      await Promise.all(subscribers.map((s) => s.close()));
    }
    assert.equal(fleet.get('a')!.kvSynced, false);
  });
});

/** A KV event publisher whose batches the test writes by hand, speaking vLLM's event fields. */
async function startPublisher(): Promise<{
  url: string;
  connections: Array<{ headers: IncomingHttpHeaders; res: ServerResponse }>;
  send(seq: number, events: unknown[], at?: number): void;
  close(): Promise<void>;
}> {
  const connections: Array<{ headers: IncomingHttpHeaders; res: ServerResponse }> = [];
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': hello\n\n');
    connections.push({ headers: req.headers, res });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kv-events`,
    connections,
    send(seq, events, at = connections.length - 1) {
      connections[at]!.res.write(`id: ${seq}\nevent: kv\ndata: ${JSON.stringify({ seq, ts: 0, events, data_parallel_rank: null })}\n\n`);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A BlockStored for one 4-token block whose tokens are `tokens`, and the key the index derives for it. */
function stored(engineHash: number, parent: number | null, tokens: number[]): unknown {
  return { type: 'BlockStored', block_hashes: [engineHash], parent_block_hash: parent, token_ids: tokens, block_size: 4, lora_id: null, medium: 'GPU' };
}

describe('KV event sequence handling (vLLM event format)', () => {
  test('a gap drops the replica\'s entries and rebuilds from what follows; a reconnect resumes with Last-Event-ID; a restart clears', async () => {
    const publisher = await startPublisher();
    const index = new PrecisePrefixIndex();
    const fleet = new Fleet([replicaSpec('r')], BREAKER, WALL);
    const subscriber = new KvEventSubscriber(fleet.get('r')!, { url: publisher.url }, index, transport, SILENT_LOGGER, { backoffBaseMs: 5, backoffCapMs: 20 });
    subscriber.start();
    const t1 = [1, 2, 3, 4];
    const t2 = [5, 6, 7, 8];
    const t3 = [9, 10, 11, 12];
    const k1 = hashInts(t1, 0, 4, 0);
    const k12 = [k1, hashInts(t2, 0, 4, k1)];
    const k3 = hashInts(t3, 0, 4, 0);
    try {
      await until(() => publisher.connections.length === 1 && fleet.get('r')!.kvSynced, 'the subscription');
      publisher.send(1, [stored(101, null, t1)]);
      publisher.send(2, [stored(102, 101, t2)]);
      await until(() => index.matchedBlocks('r', k12) === 2, 'two chained blocks');

      publisher.send(5, [stored(103, null, t3)]); // batches 3 and 4 never arrive
      await until(() => subscriber.status.gaps === 1 && index.size('r') === 1, 'the gap to be handled');
      assert.equal(index.matchedBlocks('r', k12), 0, 'entries from before the gap are gone');
      assert.equal(index.matchedBlocks('r', [k3]), 1, 'the batch after the gap is applied');

      // The publisher drops the stream: the subscriber reconnects and asks for what came after 5.
      publisher.connections[0]!.res.end();
      await until(() => publisher.connections.length === 2, 'a reconnect');
      assert.equal(publisher.connections[1]!.headers['last-event-id'], '5');
      await until(() => fleet.get('r')!.kvSynced, 'in sync again');
      publisher.send(6, [{ type: 'BlockRemoved', block_hashes: [103], medium: 'GPU' }]);
      await until(() => index.size('r') === 0, 'the removal to apply');
      publisher.send(7, [stored(101, null, t1)]);
      await until(() => index.size('r') === 1, 'the store to apply');
      assert.equal(subscriber.status.gaps, 1, 'a resumed stream is no gap');

      // The engine restarted: numbering starts again at 1.
      publisher.send(1, [stored(103, null, t3)]);
      await until(() => subscriber.status.restarts === 1, 'the restart to be seen');
      assert.equal(index.matchedBlocks('r', [k1]), 0, 'the old cache is gone');
      assert.equal(index.matchedBlocks('r', [k3]), 1);

      // An unreadable batch leaves the index unlike the engine: dropped.
      publisher.connections[1]!.res.write('event: kv\ndata: {not json\n\n');
      await until(() => index.size('r') === 0, 'the unreadable batch to drop the entries');
      assert.ok(subscriber.status.errors >= 2);
    } finally {
      await subscriber.close();
      await publisher.close();
    }
  });

  test('an endpoint that answers 404 is marked unsupported, not hammered', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fleet = new Fleet([replicaSpec('r')], BREAKER, WALL);
    const subscriber = new KvEventSubscriber(fleet.get('r')!, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kv-events` }, fleet.prefix, transport, SILENT_LOGGER);
    subscriber.start();
    try {
      await until(() => subscriber.status.unsupported, 'the 404 to be noticed');
      assert.equal(fleet.get('r')!.kvSynced, false);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(hits, 1, 'it waits unsupportedRetryMs (60 s) before asking again');
    } finally {
      await subscriber.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
