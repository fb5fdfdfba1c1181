import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { generateText, streamText, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { startDemoFleet, type DemoFleet } from '../../src/server/demo-fleet.js';
import { startEmulatorFleet, type RunningFleet } from '../../src/emulator/index.js';
import { startTestGateway, waitForRecords, type TestGateway } from '../support/gateway.js';

/**
 * The official clients, unchanged, against a running gateway in front of emulated engines — the same
 * mixed fleet `npm start` runs (H100, L4 and Trainium2 pools of one model plus a second model).
 */
describe('clients through the gateway to the emulated demo fleet', () => {
  let demo: DemoFleet;
  let gw: TestGateway;

  before(async () => {
    demo = await startDemoFleet({ speed: 500 });
    gw = await startTestGateway(demo.config);
  });
  after(async () => {
    await gw.close();
    await demo.fleet.close();
  });

  test('openai: chat, then a stream with usage; routed to a pool of the model', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'llama', messages: [{ role: 'user', content: 'Describe the yard.' }], max_tokens: 12 })
      .withResponse();
    assert.ok((data.choices[0]?.message.content ?? '').length > 0);
    assert.equal(data.usage?.completion_tokens, 12);
    assert.match(response.headers.get('x-switchyard-route') ?? '', /^llama-(h100|l4|trn2)\//);
    const stream = await client.chat.completions.create({
      model: 'qwen3-30b-a3b',
      messages: [{ role: 'user', content: 'Describe the yard.' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) deltas++;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(deltas > 0);
    assert.equal(usage?.completion_tokens, 8);
    await waitForRecords(gw.records, 2);
    const record = gw.records.find((r) => r.model === 'qwen3-30b-a3b');
    assert.equal(record?.pool, 'qwen-h100');
    assert.equal(record?.hardware, 'h100-sxm');
  });

  test('openai: streamed tool call arguments parse', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const runner = client.chat.completions.stream({
      model: 'llama',
      messages: [{ role: 'user', content: 'Use get_departures for Bern.' }],
      tools: [{ type: 'function', function: { name: 'get_departures', parameters: { type: 'object', properties: { station: { type: 'string' } }, required: ['station'] } } }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0] as { function: { name: string; arguments: string } } | undefined;
    assert.equal(call?.function.name, 'get_departures');
    assert.equal(typeof (JSON.parse(call?.function.arguments ?? '') as { station: unknown }).station, 'string');
  });

  test('AI SDK: generateText, streamText, tools', async () => {
    const provider = createOpenAICompatible({ name: 'switchyard', baseURL: `${gw.url}/v1`, apiKey: 'x', includeUsage: true });
    const text = await generateText({ model: provider('llama'), prompt: 'Describe the yard.', maxOutputTokens: 10, maxRetries: 0 });
    assert.ok(text.text.length > 0);
    assert.equal(text.usage.outputTokens, 10);
    const streamed = streamText({ model: provider('llama'), prompt: 'Describe the yard.', maxOutputTokens: 6, maxRetries: 0 });
    let collected = '';
    for await (const delta of streamed.textStream) collected += delta;
    assert.ok(collected.length > 0);
    assert.equal((await streamed.usage).outputTokens, 6);
    const withTools = await generateText({
      model: provider('llama'),
      prompt: 'Use get_weather for Bern.',
      maxRetries: 0,
      tools: { get_weather: tool({ inputSchema: z.object({ city: z.string() }) }) },
    });
    assert.equal(withTools.toolCalls[0]?.toolName, 'get_weather');
  });

  test('Anthropic SDK: messages and stream through an OpenAI-compatible engine', async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'x', maxRetries: 0 });
    const message = await client.messages.create({ model: 'llama', max_tokens: 9, messages: [{ role: 'user', content: 'Describe the yard.' }] });
    assert.equal(message.usage.output_tokens, 9);
    assert.equal(message.stop_reason, 'max_tokens');
    const stream = client.messages.stream({ model: 'qwen', max_tokens: 5, messages: [{ role: 'user', content: 'Describe the yard.' }] });
    const final = await stream.finalMessage();
    assert.equal(final.usage.output_tokens, 5);
  });
});

test('faulty replicas: retries and fallback keep clients whole; every answer is 200 or a 5xx, never a broken 200', async () => {
  // One pool whose replicas fail half their requests with 503/500, a healthy fallback model.
  const fleet: RunningFleet = await startEmulatorFleet({
    pools: [
      { name: 'flaky', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2, faults: { errorRate: 0.5, errorStatuses: [500, 503], retryAfterSeconds: 0 } },
      { name: 'steady', hardware: 'h100-sxm', model: 'qwen3-30b-a3b', tensorParallel: 1, replicas: 1 },
    ],
    speed: 500,
    seed: 7,
  });
  const url = (pool: string): Array<{ id: string; url: string }> => fleet.replicas.filter((r) => r.pool === pool).map((r) => ({ id: r.id, url: `${r.url}/v1` }));
  const gw = await startTestGateway({
    routing: { policy: 'round-robin', maxAttempts: 3 },
    health: { failureThreshold: 50 },
    backends: [
      { name: 'flaky', vendor: 'vllm', model: 'llama-3.1-8b', replicas: url('flaky') },
      { name: 'steady', vendor: 'vllm', model: 'qwen3-30b-a3b', replicas: url('steady') },
    ],
    models: [
      { name: 'llama', backends: ['flaky'], fallbacks: ['qwen'] },
      { name: 'qwen', backends: ['steady'] },
    ],
  });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.chat.completions.create({ model: 'llama', messages: [{ role: 'user', content: `request ${i}` }], max_tokens: 4 }).withResponse(),
      ),
    );
    for (const { data } of results) assert.equal(data.usage?.completion_tokens, 4);
    const routes = results.map(({ response }) => response.headers.get('x-switchyard-route') ?? '');
    assert.ok(routes.some((r) => r.startsWith('flaky/')), 'the flaky pool served some');
    await waitForRecords(gw.records, 30);
    assert.ok(gw.records.some((r) => r.attempts > 1), 'some needed a retry');
  } finally {
    await gw.close();
    await fleet.close();
  }
});

test('hung replicas: the first-byte timeout turns a hang into a retry on another replica', async () => {
  const fleet: RunningFleet = await startEmulatorFleet({
    pools: [
      { name: 'hangs', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1, faults: { hangRate: 1 } },
      { name: 'fine', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1 },
    ],
    speed: 500,
    seed: 3,
  });
  const urls = (pool: string): string[] => fleet.replicas.filter((r) => r.pool === pool).map((r) => `${r.url}/v1`);
  const gw = await startTestGateway({
    routing: { policy: 'round-robin', maxAttempts: 2 },
    timeouts: { firstByteMs: 300 },
    health: { failureThreshold: 100 },
    backends: [
      { name: 'hangs', vendor: 'vllm', model: 'llama-3.1-8b', replicas: urls('hangs') },
      { name: 'fine', vendor: 'vllm', model: 'llama-3.1-8b', replicas: urls('fine') },
    ],
    models: [{ name: 'llama', backends: ['hangs', 'fine'] }],
  });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'x', maxRetries: 0 });
    for (const stream of [false, true]) {
      for (let i = 0; i < 2; i++) {
        const { response } = await client.chat.completions
          .create({ model: 'llama', messages: [{ role: 'user', content: 'go' }], max_tokens: 3, stream })
          .withResponse();
        assert.equal(response.status, 200);
        assert.match(response.headers.get('x-switchyard-route') ?? '', /^fine\//);
      }
    }
    await waitForRecords(gw.records, 4);
    assert.ok(gw.records.some((r) => r.attempts === 2), 'some requests timed out on the hung replica first');
  } finally {
    await gw.close();
    await fleet.close();
  }
});
