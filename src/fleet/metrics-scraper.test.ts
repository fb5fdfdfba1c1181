import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { createUndiciTransport, type UndiciTransport } from '../transport/undici-transport.js';
import { Fleet } from './fleet.js';
import { MetricsScraper } from './metrics-scraper.js';
import { SILENT_LOGGER, type FleetLogger } from './monitor-support.js';
import { replicaSpec, until, WALL } from './test-support.js';

let emulator: RunningEmulator;
let transport: UndiciTransport;

before(async () => {
  // Slow (speed 1) and a batch cap of 4, so eight long requests keep 4 running and 4 waiting for seconds.
  emulator = await startEmulator({ hardware: 'h100-sxm', model: 'llama-3.1-8b', speed: 1, engineConfig: { maxNumSeqs: 4 } });
  transport = createUndiciTransport({ timeouts: { connectMs: 1000, firstByteMs: 5000, totalMs: 0 } });
});
after(async () => {
  await emulator.close();
  await transport.close();
});

/** Starts a long streamed completion on the emulator; resolves once its headers arrived. */
async function longRequest(signal: AbortSignal, i: number): Promise<void> {
  const response = await fetch(`${emulator.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: `request ${i} ${'alpha beta gamma delta '.repeat(50)}`, max_tokens: 2000, ignore_eos: true, stream: true }),
    signal,
  });
  // Drain in the background until aborted.
  void (async () => {
    try {
      for await (const chunk of response.body!) void chunk;
    } catch {
      /* aborted */
    }
  })();
}

test('the scraper mirrors the emulator\'s running, waiting and KV usage, then falls back when it dies', async () => {
  const fleet = new Fleet([replicaSpec('emu', { maxRunning: 256 })], { failureThreshold: 3, cooldownMs: 1000 }, WALL);
  const replica = fleet.get('emu')!;
  const warnings: string[] = [];
  const logger: FleetLogger = { ...SILENT_LOGGER, warn: (message) => warnings.push(message) };
  const scraper = new MetricsScraper(replica, { url: `${emulator.url}/metrics`, intervalMs: 20, staleAfterMs: 1000, timeoutMs: 500 }, transport, WALL, logger);
  scraper.start();
  const load = new AbortController();
  try {
    await until(() => scraper.status.lastOkAtMs !== undefined, 'a first scrape');
    assert.equal(scraper.status.load?.engine, 'vllm');
    assert.equal(replica.state.blockSize, 16);
    assert.ok(replica.state.kvBlocksTotal > 0, 'KV capacity from vllm:cache_config_info');

    await Promise.all(Array.from({ length: 8 }, (_, i) => longRequest(load.signal, i)));
    await until(() => {
      const state = replica.refresh(WALL.now());
      return state.running === 4 && state.waiting === 4 && state.kvUsage > 0;
    }, 'the replica state to show 4 running, 4 waiting and KV in use');
    const engine = emulator.replica.engine.state(emulator.replica.pacer.now());
    assert.equal(engine.running, 4);
    assert.equal(engine.waiting, 4);

    load.abort();
    await until(() => replica.refresh(WALL.now()).running === 0 && replica.state.waiting === 0, 'the aborted requests to leave');

    // Our own accounting says two requests are in flight; the engine's numbers win while fresh.
    fleet.begin(replica, 100);
    fleet.begin(replica, 100);
    await emulator.close();
    await until(() => scraper.status.stale, 'the replica to be flagged stale');
    const state = replica.refresh(WALL.now());
    assert.equal(replica.isStale(), true);
    assert.equal(replica.observedAt(), undefined, 'observe(undefined) was called');
    assert.deepEqual([state.running, state.waiting], [2, 0], 'back on the gateway\'s in-flight accounting');
    assert.ok(scraper.status.failures > 0);
    assert.ok(warnings.includes('replica metrics scrape failed'));
    assert.ok(warnings.some((w) => w.startsWith('replica metrics stale')));
  } finally {
    load.abort();
    await scraper.close();
  }
});

test('scrapes of one replica never overlap, even when the page is slower than the interval', async () => {
  const { createServer } = await import('node:http');
  let active = 0;
  let maxActive = 0;
  let served = 0;
  const server = createServer((_req, res) => {
    active++;
    maxActive = Math.max(maxActive, active);
    setTimeout(() => {
      active--;
      served++;
      res.end('vllm:num_requests_running 1\nvllm:num_requests_waiting 0\n');
    }, 30);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const fleet = new Fleet([replicaSpec('slow')], { failureThreshold: 3, cooldownMs: 1000 }, WALL);
  const scraper = new MetricsScraper(fleet.get('slow')!, { url: `http://127.0.0.1:${port}/metrics`, intervalMs: 1, staleAfterMs: 2000, timeoutMs: 1000 }, transport, WALL, SILENT_LOGGER);
  scraper.start();
  try {
    await until(() => served >= 5, 'five scrapes');
    assert.equal(maxActive, 1);
    assert.equal(fleet.get('slow')!.refresh(WALL.now()).running, 1);
  } finally {
    await scraper.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
