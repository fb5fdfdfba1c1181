import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from './emulator.js';
import { waitFor } from './test-support.js';

const model = 'llama-3.1-8b';
const started: RunningEmulator[] = [];

async function emulatorWith(options: EmulatorOptions): Promise<{ emulator: RunningEmulator; client: OpenAI }> {
  const emulator = await startEmulator({ hardware: 'h100-sxm', model, speed: 50, ...options });
  started.push(emulator);
  return { emulator, client: new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

function chat(url: string, body: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Response> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 30, ...body }),
  };
  if (signal !== undefined) init.signal = signal;
  return fetch(`${url}/v1/chat/completions`, init);
}

describe('fault injection', () => {
  after(() => Promise.all(started.map((e) => e.close())));

  test('error rate 1 with 429 answers rate-limit errors with retry-after in the OpenAI shape', async () => {
    const { emulator, client } = await emulatorWith({ faults: { errorRate: 1, errorStatuses: [429], retryAfterSeconds: 3 } });
    const res = await chat(emulator.url);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal(res.headers.get('x-switchyard-fault'), 'error');
    const body = (await res.json()) as { error: { code: number; type: string } };
    assert.equal(body.error.code, 429);
    await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }), OpenAI.RateLimitError);
    // Only generation is faulted.
    assert.equal((await fetch(`${emulator.url}/health`)).status, 200);
  });

  test('500 and 503', async () => {
    for (const status of [500, 503]) {
      const { client } = await emulatorWith({ faults: { errorRate: 1, errorStatuses: [status] } });
      await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.APIError);
        assert.equal(e.status, status);
        return true;
      });
    }
  });

  test('faults are deterministic for a seed', async () => {
    const statuses = async (seed: number): Promise<number[]> => {
      const { emulator } = await emulatorWith({ seed, faults: { errorRate: 0.5, errorStatuses: [500, 503] } });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) {
        const res = await chat(emulator.url, { max_tokens: 2 });
        out.push(res.status);
        await res.arrayBuffer();
      }
      return out;
    };
    const a = await statuses(7);
    assert.deepEqual(await statuses(7), a);
    assert.ok(a.includes(200) && a.some((s) => s >= 500), a.join(','));
  });

  test('hang: no first byte until the client gives up, while the server stays healthy', async () => {
    const { emulator } = await emulatorWith({ faults: { hangRate: 1 } });
    const controller = new AbortController();
    let settled = false;
    const pending = chat(emulator.url, {}, controller.signal).finally(() => {
      settled = true;
    });
    // The server holds the request (it is open on the replica) and answers others meanwhile.
    await waitFor(() => emulator.replica.open.size === 1, 'the request to be held');
    assert.equal((await fetch(`${emulator.url}/health`)).status, 200);
    assert.equal(settled, false);
    controller.abort();
    await assert.rejects(pending);
    await waitFor(() => emulator.replica.open.size === 0, 'the hung response to be released');
  });

  test('disconnect mid-stream: some chunks, then the connection drops', async () => {
    const { client, emulator } = await emulatorWith({ faults: { disconnectRate: 1, disconnectAfterTokens: 4 } });
    const stream = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], max_tokens: 50, stream: true });
    let content = 0;
    await assert.rejects(async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) content++;
    });
    assert.equal(content, 4);
    await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], max_tokens: 50 }), OpenAI.APIConnectionError);
    await waitFor(() => emulator.replica.pacer.inFlight === 0, 'the engine to drop cut requests');
  });

  test('slow first byte and slow startup delay the response, which then succeeds', async () => {
    const { emulator: slow } = await emulatorWith({ faults: { slowFirstByteMs: 1000 } });
    const { emulator: fast } = await emulatorWith({});
    const order: string[] = [];
    await Promise.all([
      chat(slow.url).then(async (r) => {
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-switchyard-fault'), 'slow');
        await r.json();
        order.push('slow');
      }),
      chat(fast.url).then(async (r) => {
        await r.json();
        order.push('fast');
      }),
    ]);
    assert.deepEqual(order, ['fast', 'slow']);

    const { emulator: starting } = await emulatorWith({ faults: { startupDelayMs: 1000 } });
    const seen: string[] = [];
    await Promise.all([
      fetch(`${starting.url}/health`).then((r) => seen.push(`starting:${r.status}`)),
      fetch(`${fast.url}/health`).then((r) => seen.push(`ready:${r.status}`)),
    ]);
    assert.deepEqual(seen, ['ready:200', 'starting:200']);
  });
});
