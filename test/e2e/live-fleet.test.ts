import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { parsePrometheusText } from '../../src/fleet/prometheus-parse.js';
import { startTestGateway, waitForRecords, type TestGateway } from '../support/gateway.js';

/**
 * The gateway's live view of a self-hosted pool: two emulated replicas, scraped, subscribed to and
 * health-checked by default (hardware is not `external`), behind the llm-d policy.
 */
let a: RunningEmulator;
let b: RunningEmulator;
let gw: TestGateway;

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function gatewayMetrics(): Promise<Map<string, number>> {
  const response = await fetch(`${gw.url}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0.0.4/);
  const parsed = parsePrometheusText(await response.text());
  assert.deepEqual(parsed.errors, []);
  const out = new Map<string, number>();
  // Keyed by name, replica and status; series that differ in other labels (endpoint) are summed.
  for (const s of parsed.samples) {
    const key = `${s.name}${s.labels['replica'] === undefined ? '' : `/${s.labels['replica']}`}${s.labels['status'] === undefined ? '' : `/${s.labels['status']}`}`;
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

async function complete(url: string, prompt: string): Promise<Response> {
  const response = await fetch(`${url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama-3.1-8b', prompt, max_tokens: 2 }),
  });
  await response.text();
  return response;
}

async function chat(url: string, system: string, question: string): Promise<Response> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'system', content: system }, { role: 'user', content: question }], max_tokens: 2 }),
  });
  await response.text();
  return response;
}

before(async () => {
  [a, b] = await Promise.all([startEmulator({ id: 'a', speed: 20 }), startEmulator({ id: 'b', speed: 20 })]);
  gw = await startTestGateway({
    routing: { policy: 'llm-d' },
    backends: [
      {
        name: 'pool',
        vendor: 'vllm',
        chatTemplate: 'chatml',
        model: 'llama-3.1-8b',
        hardware: 'h100-sxm',
        modelProfile: 'llama-3.1-8b',
        replicas: [
          { id: 'a', url: `${a.url}/v1` },
          { id: 'b', url: `${b.url}/v1` },
        ],
        metrics: { intervalMs: 25, staleAfterMs: 500 },
        health: { intervalMs: 25 },
      },
    ],
    models: [{ name: 'llama-3.1-8b', backends: ['pool'] }],
  });
});
after(async () => {
  await gw.close();
  await Promise.all([a.close(), b.close()]);
});

test('GET /metrics shows both replicas scraped, subscribed and healthy', async () => {
  await until(async () => {
    const m = await gatewayMetrics();
    return ['a', 'b'].every((r) => m.get(`switchyard_replica_kv_synced/${r}`) === 1 && m.get(`switchyard_replica_stale/${r}`) === 0 && m.get(`switchyard_replica_healthy/${r}`) === 1);
  }, 'both replicas live');
});

test('a prefix cached on a replica behind the gateway\'s back is found through its KV events', async () => {
  for (const [target, other] of [
    [a, 'b'],
    [b, 'a'],
  ] as const) {
    const shared = `System prompt for ${target.id}: ${'follow the instructions with care and cite sources. '.repeat(30)}`;
    // Sent to the engine directly: the gateway's routing history knows nothing of it, only KV events do.
    await complete(target.url, `${shared} warm-up`);
    await until(() => gw.gateway.fleet.prefix.size(target.id) > 20 && gw.gateway.fleet.prefix.size(other) >= 0, `KV events from ${target.id}`);
    const response = await complete(gw.url, `${shared} the real question`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), `pool/${target.id}`);
  }
});

test('chat too: the gateway hashes the ChatML prompt the engine renders, so KV events find the cached conversation', async () => {
  for (const [target, other] of [
    [b, 'a'],
    [a, 'b'],
  ] as const) {
    const system = `Chat system prompt for ${target.id}: ${'answer as the station master would, with the timetable at hand. '.repeat(30)}`;
    await chat(target.url, system, 'warm-up');
    await until(() => gw.gateway.fleet.prefix.size(target.id) > 20 && gw.gateway.fleet.prefix.size(other) >= 0, `KV events from ${target.id}`);
    const response = await chat(gw.url, system, 'when does the last train leave?');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), `pool/${target.id}`);
  }
});

test('a replica\'s prefix-cache reset (vLLM\'s POST /reset_prefix_cache) empties the gateway\'s index of it', async () => {
  const shared = `Reset me: ${'a long shared instruction that fills many KV blocks. '.repeat(30)}`;
  await complete(a.url, `${shared} warm-up`);
  await until(() => gw.gateway.fleet.prefix.size('a') > 20, 'KV events from a');
  const reset = await fetch(`${a.url}/reset_prefix_cache`, { method: 'POST' });
  assert.equal(reset.status, 200);
  assert.equal(reset.headers.get('x-switchyard-prefix-cache-reset'), 'true');
  await until(() => gw.gateway.fleet.prefix.size('a') === 0, 'the AllBlocksCleared event to reach the gateway');
  const m = await gatewayMetrics();
  assert.equal(m.get('switchyard_prefix_index_blocks/a'), 0);
  assert.equal(m.get('switchyard_replica_kv_synced/a'), 1, 'still in sync: a clear is an event, not a gap');
});

test('a dead replica is taken out by health checks and put back when it returns; requests counted by status', async () => {
  const before = gw.records.length;
  const port = b.port;
  await b.close();
  await until(() => gw.gateway.fleet.get('b')!.probe === 'down', 'b to be taken out');
  for (let i = 0; i < 4; i++) {
    const response = await complete(gw.url, `question ${i} ${'x '.repeat(i)}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'pool/a');
  }
  await waitForRecords(gw.records, before + 4);
  assert.ok(gw.records.slice(before).every((r) => r.attempts === 1), 'no request was sent to the dead replica');
  const m = await gatewayMetrics();
  assert.equal(m.get('switchyard_replica_healthy/b'), 0);
  assert.ok((m.get('switchyard_requests_total/200') ?? 0) >= 6);
  assert.ok((m.get('switchyard_routing_decisions_total/a') ?? 0) >= 5);

  b = await startEmulator({ id: 'b', speed: 20, port });
  await until(async () => {
    const now = await gatewayMetrics();
    return now.get('switchyard_replica_healthy/b') === 1 && now.get('switchyard_replica_stale/b') === 0 && now.get('switchyard_replica_kv_synced/b') === 1;
  }, 'b to be back, fresh and in sync');
});
